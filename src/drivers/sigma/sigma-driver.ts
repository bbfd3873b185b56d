import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-ref.js';
import { SeatctlError } from '../../errors/index.js';
import { normalizeEmail, type AppUser } from '../../model/index.js';
import type { HttpRequest } from '../../http/http-client.js';
import { defineApiDriver } from '../api/define-api-driver.js';
import type { ApiFlowContext } from '../api/api-driver-spec.js';
import { checkRoles } from '../read-back.js';
import { isSigmaMember, toAppUser, type SigmaMember } from './sigma-member.js';

const credentialsSchema = z
  .object({
    clientId: z.string().min(1).describe('API client id (Administration → Developer access)'),
    clientSecret: secretRefSchema.describe('API client secret, as a secret reference; the client is an org admin with no scopes: keep it in a file only seatctl can read'),
  })
  .strict();
const optionsSchema = z
  .object({
    pageSize: z.number().int().min(1).max(1000).default(1000).describe("members per page; 1000 is Sigma's maximum, so a review lists at full speed"),
    tokenRefreshMarginSeconds: z.number().int().min(0).max(3600).default(60).describe('fetch a new token this long before `expires_in` runs out'),
    useSearch: z.boolean().default(true).describe("narrow the lookup with listMembers' `email` filter (Sigma deprecated `search`); false pages through every member instead"),
  })
  .strict();

type Credentials = z.infer<typeof credentialsSchema>;
type Options = z.infer<typeof optionsSchema>;
type Ctx = ApiFlowContext<Credentials, Options>;

/**
 * How one Sigma list pages (Sigma's reference): members and teams take the cursor back
 * as `page` (from `nextPage`, null on the last page); account types take `pageToken`
 * (from `nextPageToken`, absent on the last page) and size pages with `pageSize`.
 */
interface Paging {
  cursorParam: 'page' | 'pageToken';
  nextField: 'nextPage' | 'nextPageToken';
}
const CURSOR_PAGING: Paging = { cursorParam: 'page', nextField: 'nextPage' };
const TOKEN_PAGING: Paging = { cursorParam: 'pageToken', nextField: 'nextPageToken' };

type ReadPage = <T>(read: () => Promise<T>) => Promise<T>;
const once: ReadPage = (read) => read();

/** Cursor pagination only; each page read goes through `readPage` (a caller may retry it). */
async function* paged<T>(ctx: Ctx, path: string, query: HttpRequest['query'], isItem: (v: unknown) => v is T, paging: Paging = CURSOR_PAGING, readPage: ReadPage = once): AsyncGenerator<T[]> {
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    const at: string | null = cursor;
    const res: { body: Record<string, unknown> | undefined } = await readPage(() => ctx.http.send({ method: 'GET', path, query: { ...query, ...(at ? { [paging.cursorParam]: at } : {}) } }));
    const entries = res.body?.entries;
    if (!Array.isArray(entries)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET ${path} answered without entries`);
    yield entries.filter(isItem);
    const next = res.body?.[paging.nextField];
    cursor = typeof next === 'string' && next ? next : null;
    // A cursor that repeats would loop for ever (e.g. a server that ignored ours): fail loudly.
    if (cursor && seen.has(cursor)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: pagination cursor repeated`);
    if (cursor) seen.add(cursor);
  } while (cursor);
}

const getMember = async (ctx: Ctx, id: string): Promise<AppUser | null> => {
  const res = await ctx.http.send<unknown>({ method: 'GET', path: `/members/${encodeURIComponent(id)}`, accept: [404] });
  if (res.status === 404) return null;
  if (!isSigmaMember(res.body)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: unexpected member shape`);
  return toAppUser(ctx.app, res.body);
};

const memberTypes = (ctx: Ctx): Promise<string[]> =>
  ctx.memo('member-types', async () => {
    const names: string[] = [];
    const isType = (v: unknown): v is { accountTypeName: string } => typeof (v as { accountTypeName?: unknown })?.accountTypeName === 'string';
    // listAccountTypes (GET /v2/accountTypes): 1000 is its documented maximum page.
    for await (const page of paged(ctx, '/accountTypes', { pageSize: 1000 }, isType, TOKEN_PAGING)) names.push(...page.map((t) => t.accountTypeName));
    return names;
  });

const checkTypes = async (ctx: Ctx, types: string[]): Promise<void> => checkRoles(ctx.app, types, await memberTypes(ctx));

const teamIds = async (ctx: Ctx, names: string[]): Promise<string[]> => {
  const isTeam = (v: unknown): v is { teamId: string; name: string } => typeof (v as { teamId?: unknown })?.teamId === 'string';
  const all: { teamId: string; name: string }[] = [];
  for await (const page of paged(ctx, '/teams', { limit: 1000 }, isTeam)) all.push(...page);
  return names.map((n) => {
    const team = all.find((t) => t.teamId === n || t.name === n);
    if (!team) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: no team named "${n}" (teams: ${all.map((t) => t.name).join(', ')})`);
    return team.teamId;
  });
};

const patchMember = async (ctx: Ctx, user: AppUser, json: Partial<SigmaMember>): Promise<AppUser | null> => {
  await ctx.http.send({ method: 'PATCH', path: `/members/${encodeURIComponent(user.id)}`, json });
  return getMember(ctx, user.id);
};

/**
 * Sigma's REST API with client-credentials tokens (org admin, no scopes). Offboarding
 * is DELETE, which archives (Sigma's own reference); there is no permanent delete, so
 * no `delete` flow: `--mode delete` is refused before anything is sent.
 */
export const sigmaApiDriver = defineApiDriver<Credentials, Options>({
  name: 'sigma-api',
  credentials: credentialsSchema,
  options: optionsSchema,
  secretFields: ['clientSecret'],
  defaultConcurrency: 4,

  async authenticate(ctx) {
    // Form-encoded and `sensitive`: the secret never reaches the request record.
    const res = await ctx.send<{ access_token?: unknown; expires_in?: unknown }>({
      method: 'POST',
      path: '/auth/token',
      form: { grant_type: 'client_credentials', client_id: ctx.credentials.clientId, client_secret: ctx.secret('clientSecret') },
      sensitive: true,
    });
    const token = res.body?.access_token;
    if (typeof token !== 'string' || !token) throw new SeatctlError('AUTH_FAILED', `${ctx.app}: token endpoint answered without an access_token`);
    const ttlMs = (typeof res.body?.expires_in === 'number' ? res.body.expires_in : 3600) * 1000;
    return { headers: { authorization: `Bearer ${token}` }, expiresInMs: ttlMs - ctx.options.tokenRefreshMarginSeconds * 1000 };
  },

  async findUser(ctx, email) {
    const wanted = normalizeEmail(email);
    // includeArchived is a documented listMembers parameter: an archived member must be
    // found, or offboarding them again would report not_found instead of noop.
    const query = { limit: ctx.options.pageSize, includeArchived: true, ...(ctx.options.useSearch ? { email } : {}) };
    for await (const page of paged(ctx, '/members', query, isSigmaMember)) {
      const hit = page.find((m) => normalizeEmail(m.email) === wanted);
      if (hit) return toAppUser(ctx.app, hit);
    }
    return null;
  },

  // Cursor paging cannot be parallelised (each page names the next), so `concurrency`
  // is ignored; 1000 per page (the maximum) keeps a 10,000-member org to ten reads.
  // listMembers returns no total, so `onTotal` is never called.
  capabilities: { retriesPages: true },
  async *listUsers(ctx, { includeInactive, readPage }) {
    for await (const page of paged(ctx, '/members', { limit: ctx.options.pageSize, includeArchived: includeInactive }, isSigmaMember, CURSOR_PAGING, readPage ?? once)) {
      yield page.map((m) => toAppUser(ctx.app, m));
    }
  },

  listRoles: (ctx) => memberTypes(ctx),
  validateProvision: (ctx, specs) => checkTypes(ctx, specs.map((s) => s.role)),

  async provision(ctx, spec) {
    await checkTypes(ctx, [spec.role]);
    const teams = spec.teams?.length ? await teamIds(ctx, spec.teams) : [];
    const create: HttpRequest = { method: 'POST', path: '/members', json: { email: spec.email, firstName: spec.firstName, lastName: spec.lastName, memberType: spec.role } };
    if (ctx.dryRun) {
      // Planned by hand so the evidence shows the team additions too.
      ctx.http.plan(create);
      for (const teamId of teams) ctx.http.plan({ method: 'PATCH', path: `/teams/${teamId}/members`, json: { add: ['<new member>'] } });
      return null;
    }
    const res = await ctx.http.send<unknown>(create);
    if (!isSigmaMember(res.body)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: create answered without a memberId`);
    const memberId = res.body.memberId;
    // Team membership needs the member to exist first. updateTeamMembers (PATCH
    // {add}) is Sigma's documented way; the seed guide's POST {memberId} is not.
    for (const teamId of teams) await ctx.http.send({ method: 'PATCH', path: `/teams/${encodeURIComponent(teamId)}/members`, json: { add: [memberId] } });
    if (teams.length) ctx.note(`added to team(s) ${spec.teams?.join(', ')}`);
    return getMember(ctx, memberId);
  },

  async setRole(ctx, user, role) {
    await checkTypes(ctx, [role]);
    return patchMember(ctx, user, { memberType: role });
  },

  async deactivate(ctx, user) {
    await ctx.http.send({ method: 'DELETE', path: `/members/${encodeURIComponent(user.id)}` });
    const after = await getMember(ctx, user.id);
    // Some deployments (and the seed guide) delete for good; both end access.
    ctx.note(after ? "archived: any documents the member still owned now belong to the API client's user (Sigma's reference; hand them over first with --transfer-to)" : 'Sigma deleted the member permanently instead of archiving it');
    return after;
  },

  reactivate: (ctx, user) => patchMember(ctx, user, { isArchived: false }),
});
