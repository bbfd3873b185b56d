import { SeatctlError } from '../../errors/index.js';
import { scimSend } from './scim-client.js';
import { eqFilter } from './scim-filter.js';
import type { ScimCtx } from './scim-options.js';
import { scimPages } from './scim-paging.js';
import { SCIM_SCHEMAS } from './scim-user.js';
import { updateMethod } from './scim-write.js';

/**
 * Teams are SCIM Groups (RFC 7643 §4.2; Sigma maps Groups to Teams). A team is found
 * by `displayName eq` and compared here (displayName is `caseExact: false`); joining
 * is a PatchOp `add` on `members` (RFC 7644 §3.5.2.1), or, on a server without PATCH,
 * a PUT of the group with the member appended (read just before, so it drops no one).
 */
interface ScimGroup {
  id: string;
  displayName?: string;
  members?: { value?: unknown }[];
  [key: string]: unknown;
}

const groupPath = (id: string): string => `/Groups/${encodeURIComponent(id)}`;

async function findGroup(ctx: ScimCtx, name: string): Promise<ScimGroup> {
  return ctx.memo(`scim-group:${name}`, async () => {
    const hits: ScimGroup[] = [];
    const wanted = name.toLowerCase();
    for await (const page of scimPages<ScimGroup>(ctx, { path: '/Groups', filter: eqFilter('displayName', name), pageSize: ctx.options.pageSize, maxPages: ctx.options.maxPages })) {
      hits.push(...page.filter((g) => typeof g.displayName === 'string' && g.displayName.toLowerCase() === wanted));
    }
    if (hits.length === 1) return hits[0]!;
    if (hits.length > 1) throw new SeatctlError('CONFLICT', `${ctx.app}: ${hits.length} SCIM groups are named "${name}"`, { details: { app: ctx.app } });
    throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: no SCIM group named "${name}"`, { details: { app: ctx.app, group: name } });
  });
}

const addRequest = (groupId: string, userId: string) => ({
  method: 'PATCH' as const,
  path: groupPath(groupId),
  json: { schemas: [SCIM_SCHEMAS.patchOp], Operations: [{ op: 'add', path: 'members', value: [{ value: userId }] }] },
});

async function addMember(ctx: ScimCtx, group: ScimGroup, userId: string): Promise<void> {
  if ((await updateMethod(ctx)) === 'patch') {
    await scimSend(ctx, addRequest(group.id, userId));
    return;
  }
  const res = await scimSend<ScimGroup>(ctx, { method: 'GET', path: groupPath(group.id) });
  const current = res.body;
  const members = Array.isArray(current.members) ? current.members : [];
  if (members.some((m) => m?.value === userId)) return;
  const { meta: _meta, ...rest } = current;
  await scimSend(ctx, { method: 'PUT', path: groupPath(group.id), json: { ...rest, schemas: [SCIM_SCHEMAS.group], members: [...members, { value: userId }] } });
}

/** Looks every team up first, so a misspelt one stops the change before anything is sent. */
export async function resolveGroups(ctx: ScimCtx, names: readonly string[]): Promise<ScimGroup[]> {
  const groups: ScimGroup[] = [];
  for (const name of names) groups.push(await findGroup(ctx, name));
  return groups;
}

export async function addToGroups(ctx: ScimCtx, userId: string, groups: readonly ScimGroup[]): Promise<void> {
  for (const group of groups) await addMember(ctx, group, userId);
}

/** Dry run: what joining would send, with a placeholder for the id the user does not have yet. */
export function planGroupAdds(ctx: ScimCtx, groups: readonly ScimGroup[]): void {
  for (const group of groups) ctx.http.plan(addRequest(group.id, '<new user id>'));
}
