import { SeatctlError } from '../../errors/index.js';
import { hasAccess, type AppUser } from '../../model/index.js';
import { defineApiDriver } from '../api/define-api-driver.js';
import type { ProvisionSpec } from '../driver.js';
import { getScimUser, scimSend, type ScimRequest } from './scim-client.js';
import { scimError, scimErrorBody } from './scim-error.js';
import { addToGroups, planGroupAdds, resolveGroups } from './scim-groups.js';
import { findScimUser } from './scim-lookup.js';
import { scimCredentialsSchema, scimOptionsSchema, type ScimCredentials, type ScimCtx, type ScimOptions } from './scim-options.js';
import { scimPages } from './scim-paging.js';
import { createBody, isScimUser, toAppUser, type ScimUser } from './scim-user.js';
import { deleteUser, updateUser } from './scim-write.js';

/**
 * A provision whose POST answered 409 `uniqueness` (RFC 7644 §3.12): usually our own
 * earlier POST, which landed while its answer was lost. The account is adopted only
 * if it is what was asked for (same person, active, same role); anything else is a
 * real conflict a person must look at, not something to overwrite silently.
 */
async function adoptExisting(ctx: ScimCtx, spec: ProvisionSpec, res: { status: number; body: unknown; headers: Record<string, string | string[] | undefined> }): Promise<string> {
  const { scimType } = scimErrorBody(res.body);
  if (scimType !== undefined && scimType !== 'uniqueness') throw scimError(ctx.app, 'POST /Users', res);
  const existing = await findScimUser(ctx, spec.email);
  if (!existing) throw scimError(ctx.app, 'POST /Users', res);
  const found = toAppUser(ctx.app, existing, ctx.options.roleAttribute);
  if (!hasAccess(found) || found.role !== spec.role) {
    throw new SeatctlError('CONFLICT', `${ctx.app}: ${spec.email} already exists (${found.status}, role ${found.role ?? 'none'}) and does not match the request (active, role ${spec.role}); reactivate it or change its role instead`, {
      details: { app: ctx.app, status: 409, userId: found.id },
    });
  }
  ctx.note(`POST /Users answered 409 uniqueness: ${spec.email} already exists exactly as asked (most likely an earlier attempt whose answer was lost), so that account was adopted`);
  return existing.id;
}

/**
 * A generic SCIM 2.0 service provider (RFC 7643/7644) with a static bearer token: Sigma's
 * /scim/v2, Bill.com Enterprise SCIM, or any other. Built with the one API builder, so
 * dry runs never send a change, every request is in the evidence (the token never is:
 * it travels only in the Authorization header), and every change is read back.
 */
export const scimDriver = defineApiDriver<ScimCredentials, ScimOptions>({
  name: 'scim2',
  credentials: scimCredentialsSchema,
  options: scimOptionsSchema,
  secretFields: ['token'],
  defaultConcurrency: 4,
  // SCIM lists deactivated users (active:false) and deletes for good (RFC 7644 §3.6);
  // the engine only deletes when asked.
  capabilities: { delete: true, reactivate: true, listsDeactivated: true, retriesPages: true },

  // No sign-in: the token is the credential. A 401 is AUTH_FAILED (scim-error.ts).
  async authenticate(ctx) {
    return { headers: { authorization: `Bearer ${ctx.secret('token')}` } };
  },

  async findUser(ctx, email) {
    const user = await findScimUser(ctx, email);
    return user && toAppUser(ctx.app, user, ctx.options.roleAttribute);
  },

  // Index paging is read in order: each page starts after what the last one really
  // returned, which parallel reads cannot know, so `concurrency` is ignored.
  async *listUsers(ctx, { includeInactive, onTotal, readPage }) {
    for await (const page of scimPages<ScimUser>(ctx, { path: '/Users', pageSize: ctx.options.pageSize, maxPages: ctx.options.maxPages, ...(readPage ? { readPage } : {}), ...(onTotal ? { onTotal } : {}) })) {
      const users = page.filter(isScimUser).map((u) => toAppUser(ctx.app, u, ctx.options.roleAttribute));
      yield includeInactive ? users : users.filter(hasAccess);
    }
  },

  listRoles: async (ctx) => [...ctx.options.roles],

  async provision(ctx, spec): Promise<AppUser | null> {
    const groups = spec.teams?.length ? await resolveGroups(ctx, spec.teams) : [];
    const create: ScimRequest = { method: 'POST', path: '/Users', json: createBody(spec, ctx.options.roleAttribute) };
    if (ctx.dryRun) {
      // Planned by hand so the evidence shows the group joins too.
      ctx.http.plan(create);
      planGroupAdds(ctx, groups);
      return null;
    }
    const res = await scimSend<unknown>(ctx, { ...create, allow: [409] });
    let id: string;
    if (res.status === 409) id = await adoptExisting(ctx, spec, res);
    else if (isScimUser(res.body)) id = res.body.id;
    else {
      // RFC 7644 §3.3 says the created resource comes back; a server that sends none is read.
      const created = await findScimUser(ctx, spec.email);
      if (!created) throw new SeatctlError('READBACK_MISMATCH', `${ctx.app}: POST /Users answered ${res.status} but ${spec.email} cannot be found`, { details: { app: ctx.app } });
      id = created.id;
    }
    await addToGroups(ctx, id, groups);
    if (groups.length) ctx.note(`added to group(s) ${spec.teams?.join(', ')}`);
    const after = await getScimUser(ctx, id);
    return after && toAppUser(ctx.app, after, ctx.options.roleAttribute);
  },

  setRole: (ctx, user, role) => updateUser(ctx, user, { role }),
  deactivate: (ctx, user) => updateUser(ctx, user, { active: false }),
  reactivate: (ctx, user) => updateUser(ctx, user, { active: true }),
  delete: (ctx, user) => deleteUser(ctx, user),
});
