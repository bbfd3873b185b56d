import { SeatctlError } from '../../errors/index.js';
import type { AppUser } from '../../model/index.js';
import { getScimUser, providerConfig, scimSend, type ScimRequest } from './scim-client.js';
import type { ScimCtx } from './scim-options.js';
import { isActive, isScimUser, replacementBody, roleOf, roleValue, SCIM_SCHEMAS, toAppUser, versionOf, type ScimUser } from './scim-user.js';

/**
 * Changes to one user: PATCH (RFC 7644 §3.5.2) where the server does PATCH, else a
 * full PUT (§3.5.1) built from the user as the server has it now; `If-Match` with
 * the user's version where the server offers ETags (§3.14). A 412 means someone
 * changed the user since it was read: read it again, accept it if the change is
 * already there, otherwise try once more with the new version.
 */
export interface UserChange {
  active?: boolean;
  role?: string;
}

const userPath = (id: string): string => `/Users/${encodeURIComponent(id)}`;

function changeValue(change: UserChange, ctx: ScimCtx): Record<string, unknown> {
  return { ...(change.active !== undefined ? { active: change.active } : {}), ...(change.role !== undefined ? roleValue(change.role, ctx.options.roleAttribute) : {}) };
}

function satisfied(user: ScimUser, change: UserChange, ctx: ScimCtx): boolean {
  return (change.active === undefined || isActive(user) === change.active) && (change.role === undefined || roleOf(user, ctx.options.roleAttribute) === change.role);
}

/**
 * One `replace` per attribute, each with its `path` (RFC 7644 §3.5.2.3). The path-less
 * form (`value: {roles: […]}`) is legal too, but servers read it differently for a
 * multi-valued attribute: SCIMMY appends the new role to the old ones instead of
 * replacing them. With a path, "all values are replaced" is unambiguous.
 */
function replaceOps(value: Record<string, unknown>): { op: 'replace'; path: string; value: unknown }[] {
  return Object.entries(value).map(([path, v]) => ({ op: 'replace', path, value: v }));
}

export async function updateMethod(ctx: ScimCtx): Promise<'patch' | 'put'> {
  if (ctx.options.updateMethod !== 'auto') return ctx.options.updateMethod;
  return (await providerConfig(ctx)).patch === false ? 'put' : 'patch';
}

/** ETags are used when the server says it supports them, or a record it sent carries one. */
async function usesEtags(ctx: ScimCtx, user: ScimUser | null): Promise<boolean> {
  if (ctx.options.etags === 'off') return false;
  return (await providerConfig(ctx)).etag === true || (user !== null && versionOf(user) !== undefined);
}

const gone = (ctx: ScimCtx, user: AppUser): SeatctlError =>
  new SeatctlError('USER_NOT_FOUND', `${ctx.app}: user ${user.email} (${user.id}) no longer exists`, { details: { app: ctx.app, userId: user.id } });

const withIfMatch = (req: ScimRequest, version: string | undefined): ScimRequest => (version ? { ...req, headers: { ...req.headers, 'if-match': version } } : req);

export async function updateUser(ctx: ScimCtx, user: AppUser, change: UserChange): Promise<AppUser | null> {
  const how = await updateMethod(ctx);
  const value = changeValue(change, ctx);
  let current: ScimUser | null = isScimUser(user.raw) ? user.raw : null;
  for (let attempt = 1; ; attempt++) {
    const etag = await usesEtags(ctx, current);
    // A PUT needs the whole resource as it is now; If-Match needs its current version.
    if (how === 'put' || (etag && (current === null || versionOf(current) === undefined))) {
      current = await getScimUser(ctx, user.id);
      if (!current) throw gone(ctx, user);
    }
    const version = etag && current ? versionOf(current) : undefined;
    const req: ScimRequest =
      how === 'patch'
        ? { method: 'PATCH', path: userPath(user.id), json: { schemas: [SCIM_SCHEMAS.patchOp], Operations: replaceOps(value) } }
        : { method: 'PUT', path: userPath(user.id), json: replacementBody(current!, value) };
    const res = await scimSend(ctx, { ...withIfMatch(req, version), allow: [412] });
    if (res.status !== 412) break;
    current = await getScimUser(ctx, user.id);
    if (!current) throw gone(ctx, user);
    if (satisfied(current, change, ctx)) {
      ctx.note(`${req.method} answered 412 (the user changed since it was read); read back: the change is already in place`);
      return toAppUser(ctx.app, current, ctx.options.roleAttribute);
    }
    if (attempt >= 2) {
      throw new SeatctlError('CONFLICT', `${ctx.app}: ${user.email} kept changing under us (412 twice on ${req.method})`, { details: { app: ctx.app, status: 412 } });
    }
    ctx.note(`${req.method} answered 412 (the user changed since it was read); retrying once with version ${versionOf(current) ?? 'unknown'}`);
  }
  const after = await getScimUser(ctx, user.id);
  return after && toAppUser(ctx.app, after, ctx.options.roleAttribute);
}

/** DELETE (RFC 7644 §3.6): the read-back must then find nothing (a server that only deactivates fails it). */
export async function deleteUser(ctx: ScimCtx, user: AppUser): Promise<AppUser | null> {
  let current: ScimUser | null = isScimUser(user.raw) ? user.raw : null;
  for (let attempt = 1; ; attempt++) {
    if ((await usesEtags(ctx, current)) && (current === null || versionOf(current) === undefined)) {
      current = await getScimUser(ctx, user.id);
      if (!current) return null;
    }
    const version = current && (await usesEtags(ctx, current)) ? versionOf(current) : undefined;
    const res = await scimSend(ctx, { ...withIfMatch({ method: 'DELETE', path: userPath(user.id) }, version), allow: [404, 412] });
    if (res.status === 404) ctx.note('the user was already gone when DELETE arrived');
    if (res.status !== 412) break;
    current = await getScimUser(ctx, user.id);
    if (!current) return null;
    if (attempt >= 2) throw new SeatctlError('CONFLICT', `${ctx.app}: ${user.email} kept changing under us (412 twice on DELETE)`, { details: { app: ctx.app, status: 412 } });
    ctx.note('DELETE answered 412 (the user changed since it was read); retrying once with the current version');
  }
  const after = await getScimUser(ctx, user.id);
  if (after) ctx.note('the server still returns the user after DELETE (it deactivates instead of deleting)');
  return after && toAppUser(ctx.app, after, ctx.options.roleAttribute);
}
