import type { FlowContext } from '../../src/console/flow-context.js';
import { passwordSignIn } from '../../src/console/helpers/password-sign-in.js';
import { readTable } from '../../src/console/helpers/table.js';
import { findByEmail, usersFromTable } from '../../src/console/helpers/users-table.js';
import type { AppUser } from '../../src/model/index.js';
import type { SigmaCredentials, SigmaOptions } from './options.js';

export type Ctx = FlowContext<SigmaCredentials, SigmaOptions>;

/** Sign-in is email + password; SSO logins are not ours. */
export const sigmaLogin = (ctx: Ctx): Promise<void> => passwordSignIn(ctx, '/login', 'adminNav');

/** Administration > People, with inactive members when asked (Sigma hides them by default). */
export async function openPeople(ctx: Ctx, includeInactive = true): Promise<void> {
  await ctx.goto(includeInactive ? '/admin/people?status=all' : '/admin/people');
  await ctx.find('membersTable');
}

/**
 * The Members table as AppUsers. The id is Sigma's memberId, taken from the name link
 * (`/admin/people/<memberId>`): the same id the API driver reports, so either driver's
 * user can be handed to the other.
 */
export async function readMembers(ctx: Ctx): Promise<(AppUser & { href: string })[]> {
  const rows = await readTable(ctx.locator('membersTable'));
  const users = usersFromTable(ctx.app, rows, { email: 'Email', name: 'Name', role: 'Account type', status: 'Status' });
  return users.map((u, i) => {
    const href = rows.filter((r) => r.cells.Email)[i]!.links.Name ?? '';
    const memberId = decodeURIComponent(href.split('/').pop() ?? '');
    return { ...u, id: memberId || u.id, href };
  });
}

export async function* listMembers(ctx: Ctx, includeInactive: boolean, onTotal?: (total: number) => void): AsyncGenerator<AppUser[]> {
  const members = await ctx.retryRead('the Members table', async () => {
    await openPeople(ctx, includeInactive);
    return readMembers(ctx);
  });
  onTotal?.(members.length);
  yield members.map(({ href: _href, ...u }) => u);
}

export async function findMember(ctx: Ctx, email: string): Promise<AppUser | null> {
  await openPeople(ctx);
  const found = findByEmail(await readMembers(ctx), email) as (AppUser & { href: string }) | null;
  if (!found) return null;
  const { href: _href, ...user } = found;
  return user;
}

/** Account types seen on the People page (this driver provisions nobody; the API driver validates types). */
export async function accountTypes(ctx: Ctx): Promise<string[]> {
  await openPeople(ctx);
  return [...new Set((await readMembers(ctx)).map((u) => u.role).filter((r): r is string => Boolean(r)))].sort();
}

/** The doctor walks what the hand-over walks: People (from the Administration menu) and its table. */
export async function sigmaCanary(ctx: Ctx): Promise<void> {
  await ctx.goto('/admin/people');
  await (await ctx.find('peopleNav')).click();
  for (const name of ['peopleHeading', 'membersTable']) await ctx.find(name);
}
