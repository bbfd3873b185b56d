import { SeatctlError } from '../../src/errors/index.js';
import type { FlowContext } from '../../src/console/flow-context.js';
import { readTable, type TableRow } from '../../src/console/helpers/table.js';
import { normalizeEmail, type AppUser, type UserStatus } from '../../src/model/index.js';
import type { BillcomCredentials, BillcomOptions } from './options.js';

type Ctx = FlowContext<BillcomCredentials, BillcomOptions>;

const STATUS: Record<string, UserStatus> = { Active: 'active', Inactive: 'inactive', Pending: 'pending' };

function toUser(app: string, row: TableRow): AppUser | null {
  const href = row.links.Name;
  const email = row.cells.Email;
  if (!href || !email) return null; // the "No users found." row
  const id = href.split('/').filter(Boolean).pop() ?? '';
  return {
    app,
    id,
    email,
    name: row.cells.Name ?? '',
    role: row.cells.Role || null,
    status: STATUS[row.cells.Status ?? ''] ?? 'inactive',
    origin: null,
    lastSeen: null,
    raw: row.cells,
  };
}

/** Opens the users page with the URL's own filters and waits for the rows, not for `load`. */
export async function openUsers(ctx: Ctx, query: { q?: string; page?: number; inactive: boolean }): Promise<void> {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  if (query.inactive) params.set('inactive', '1');
  await ctx.goto(`/settings/users${params.size ? `?${params}` : ''}`);
  await ctx.find('usersLoaded');
}

export async function readUsersPage(ctx: Ctx): Promise<AppUser[]> {
  if (/No users found/.test(await (await ctx.find('usersLoaded')).first().innerText())) return [];
  const rows = await readTable(await ctx.find('usersTable'));
  return rows.map((r) => toUser(ctx.app, r)).filter((u): u is AppUser => u !== null);
}

/** Search is server-side and fuzzy; the exact email is matched here. */
export async function findBillcomUser(ctx: Ctx, email: string): Promise<AppUser | null> {
  await openUsers(ctx, { q: email, inactive: true });
  const wanted = normalizeEmail(email);
  return (await readUsersPage(ctx)).find((u) => normalizeEmail(u.email) === wanted) ?? null;
}

export async function* listBillcomUsers(ctx: Ctx, includeInactive: boolean): AsyncGenerator<AppUser[]> {
  await openUsers(ctx, { inactive: includeInactive });
  for (;;) {
    const indicator = await ctx.find('pageIndicator');
    const text = await indicator.innerText();
    yield await readUsersPage(ctx);
    const [, current, total] = /Page (\d+) of (\d+)/.exec(text) ?? [];
    if (!current || !total || Number(current) >= Number(total)) return;
    await (await ctx.find('nextPage')).click();
    // The table is redrawn in place: wait until the indicator shows the next page.
    await ctx.page.getByText(`Page ${Number(current) + 1} of ${total}`, { exact: true }).waitFor();
    await ctx.find('usersLoaded');
  }
}

export async function billcomRoles(ctx: Ctx): Promise<string[]> {
  await ctx.goto('/settings/users/new');
  const select = await ctx.find('role');
  const options = await select.locator('option').allInnerTexts();
  return options.map((o) => o.trim()).filter((o) => o && !/^select/i.test(o));
}

/** Waits for the console's verdict: success text, or a refusal that becomes a typed error. */
export async function outcome(ctx: Ctx, what: string): Promise<string> {
  const shown = (await ctx.find('outcome')).first();
  const text = (await shown.innerText()).trim();
  if ((await shown.getAttribute('role')) === 'alert') {
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: ${what} refused by the console: ${text}`, { details: { app: ctx.app, message: text } });
  }
  return text;
}
