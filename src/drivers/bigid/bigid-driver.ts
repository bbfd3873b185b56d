import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-ref.js';
import { SeatctlError } from '../../errors/index.js';
import { normalizeEmail, type AppUser } from '../../model/index.js';
import { defineApiDriver } from '../api/define-api-driver.js';
import type { ApiFlowContext } from '../api/api-driver-spec.js';
import { randomPassword } from '../read-back.js';
import { isBigIdUser, mergedPutBody, toAppUser, type BigIdUser } from './bigid-user.js';

const credentialsSchema = z
  .object({
    username: z.string().min(1).describe('the service account seatctl signs in as'),
    password: secretRefSchema.describe('its password, as a secret reference'),
  })
  .strict();
const optionsSchema = z
  .object({
    authPrefix: z.string().max(20).default('').describe('put before the token in `Authorization`: `""` (BigID wants the raw token) or `"Bearer "` for deployments that want the scheme'),
    pageSize: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(50)
      .describe("users asked for per page; 50 is BigID's documented default and its maximum is undocumented: a server that refuses the size (400) gets half as many, one that serves fewer is followed from where it stopped"),
    samlDomains: z
      .array(z.string().min(1))
      .default([])
      .describe('email domains that sign in through SAML: provisioning them is refused, because BigID creates SAML users itself at their first SSO login'),
  })
  .strict();

type Credentials = z.infer<typeof credentialsSchema>;
type Options = z.infer<typeof optionsSchema>;

type Ctx = ApiFlowContext<Credentials, Options>;

const SAML_NOTE = 'SAML user: also disable this person in the IdP, or they regain access at their next SSO login';

type ReadPage = <T>(read: () => Promise<T>) => Promise<T>;
const once: ReadPage = (read) => read();

interface Page {
  users: BigIdUser[];
  total: number | undefined;
}

const getRaw = async (ctx: Ctx, id: string): Promise<BigIdUser | null> => {
  const res = await ctx.http.send<unknown>({ method: 'GET', path: `/users/${encodeURIComponent(id)}`, accept: [404] });
  if (res.status === 404) return null;
  const body = res.body as { user?: unknown } | undefined;
  const raw = isBigIdUser(body) ? body : body?.user;
  if (!isBigIdUser(raw)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: unexpected user record shape`);
  return raw;
};

const getUser = async (ctx: Ctx, id: string): Promise<AppUser | null> => {
  const raw = await getRaw(ctx, id);
  return raw && toAppUser(ctx.app, raw);
};

const fetchPage = async (ctx: Ctx, skip: number, limit: number, readPage: ReadPage): Promise<Page> => {
  const res = await readPage(() => ctx.http.send<{ users?: unknown; totalCount?: unknown }>({ method: 'GET', path: '/users', query: { skip, limit } }));
  const users = Array.isArray(res.body?.users) ? res.body.users.filter(isBigIdUser) : null;
  if (!users) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET /users answered without a users array`);
  return { users, total: typeof res.body?.totalCount === 'number' ? res.body.totalCount : undefined };
};

const refusedSize = (err: unknown): boolean => err instanceof SeatctlError && err.code === 'UPSTREAM_REJECTED' && err.details.status === 400;

/**
 * The page size this driver asks for: the configured one until the server refuses it.
 * Held in the driver's memo (one per driver, dropped on close) so a size learned once
 * is kept for the driver's life.
 */
const pageSizeOf = (ctx: Ctx): Promise<{ value: number }> => ctx.memo('page-size', async () => ({ value: ctx.options.pageSize }));

/**
 * The first page, at the largest size the server accepts. BigID documents no maximum
 * `limit`; a deployment that refuses ours answers 400, so ask for half as many until
 * it answers (and remember the size for the driver's life).
 */
const firstPage = async (ctx: Ctx, readPage: ReadPage): Promise<Page> => {
  const size = await pageSizeOf(ctx);
  for (;;) {
    const limit = size.value;
    try {
      return await fetchPage(ctx, 0, limit, readPage);
    } catch (err) {
      if (!refusedSize(err) || limit <= 1) throw err;
      size.value = Math.min(size.value, Math.max(1, Math.floor(limit / 2)));
      ctx.log.warn({ app: ctx.app, refused: limit, next: size.value }, 'page size refused; asking for fewer users per page');
    }
  }
};

const changedDuringListing = (app: string, detail: string): SeatctlError =>
  // Offset paging over a list that moved may skip or repeat people: say so rather
  // than hand back a list that only looks complete. Running it again helps.
  new SeatctlError('CONFLICT', `${app}: the user list changed while it was being read (${detail}); run the listing again`, { retryClass: 'retryable', details: { app } });

interface PageOptions {
  concurrency?: number | undefined;
  onTotal?: ((total: number) => void) | undefined;
  readPage?: ReadPage | undefined;
  /** Listing: a page that does not fit the first page's totalCount fails the listing. */
  strict?: boolean;
}

/**
 * The first page tells totalCount and the page size the server really serves (it
 * may serve fewer than asked without saying so); every later page is then
 * addressable by its offset, so up to `concurrency` of them are read at once and
 * yielded in offset order. A page that comes back short while totalCount says there
 * is more is followed from skip+n, so nobody is skipped. A page that fails (after
 * `readPage`'s retries) rejects the iteration; the pages behind it are dropped.
 */
async function* pages(ctx: Ctx, options: PageOptions = {}): AsyncGenerator<BigIdUser[]> {
  const readPage = options.readPage ?? once;
  const first = await firstPage(ctx, readPage);
  if (first.total !== undefined) options.onTotal?.(first.total);
  yield first.users;
  if (first.users.length === 0) return;
  if (first.total === undefined) {
    // No totalCount: a short page may be a silent cap, not the end; only an empty
    // page ends the listing.
    let skip = first.users.length;
    for (;;) {
      const page = await fetchPage(ctx, skip, (await pageSizeOf(ctx)).value, readPage);
      if (page.users.length === 0) return;
      yield page.users;
      skip += page.users.length;
    }
  }
  const total = first.total;
  const step = first.users.length;
  const offsets: number[] = [];
  for (let skip = step; skip < total; skip += step) offsets.push(skip);
  const width = Math.max(1, Math.floor(options.concurrency ?? 1));
  const inFlight: Promise<Page>[] = [];
  let launched = 0;
  for (let i = 0; i < offsets.length; i++) {
    while (launched < offsets.length && launched < i + width) {
      const p = fetchPage(ctx, offsets[launched]!, step, readPage);
      // Handled here so a page that fails behind an earlier failure is not an
      // unhandled rejection; awaiting it below still throws.
      p.catch(() => undefined);
      inFlight.push(p);
      launched += 1;
    }
    const page = await inFlight.shift()!;
    const offset = offsets[i]!;
    const expected = Math.min(step, total - offset);
    if (options.strict && page.total !== total) throw changedDuringListing(ctx.app, `totalCount went from ${total} to ${page.total ?? 'missing'}`);
    const users = [...page.users];
    // Served fewer than asked while more exist: read on from skip+n until the slot
    // this page covers is full.
    while (users.length < expected) {
      const rest = await fetchPage(ctx, offset + users.length, expected - users.length, readPage);
      if (options.strict && rest.total !== total) throw changedDuringListing(ctx.app, `totalCount went from ${total} to ${rest.total ?? 'missing'}`);
      if (rest.users.length === 0) break;
      users.push(...rest.users);
    }
    if (options.strict && users.length !== expected) throw changedDuringListing(ctx.app, `the page at skip=${offset} had ${users.length} users, expected ${expected}`);
    if (users.length === 0) return;
    yield users;
  }
}

const roles = (ctx: Ctx): Promise<string[]> =>
  ctx.memo('roles', async () => {
    const res = await ctx.http.send<unknown>({ method: 'GET', path: '/roles' });
    const list = Array.isArray(res.body) ? res.body : (res.body as { roles?: unknown })?.roles;
    if (!Array.isArray(list)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET /roles answered without a roles list`);
    return list.map((r) => (typeof r === 'string' ? r : String((r as { name?: unknown }).name ?? ''))).filter(Boolean);
  });

/**
 * GET, merge, PUT: the only safe way to change one field of a full-replacement record.
 * Returns the user read back; the builder checks it satisfies the operation, and this
 * proves the PUT reset nothing else.
 */
const update = async (ctx: Ctx, user: AppUser, change: Partial<BigIdUser>): Promise<AppUser | null> => {
  const current = await getRaw(ctx, user.id);
  if (!current) throw new SeatctlError('USER_NOT_FOUND', `${ctx.app}: user ${user.email} (${user.id}) no longer exists`);
  if (current.origin === 'saml' && change.isEnabled === false) ctx.note(SAML_NOTE);
  await ctx.http.send({ method: 'PUT', path: `/users/${encodeURIComponent(user.id)}`, json: mergedPutBody(current, change) });
  const raw = await getRaw(ctx, user.id);
  for (const field of ['role', 'firstName', 'lastName', 'email'] as const) {
    if (raw && !(field in change) && (current[field] ?? '') !== (raw[field] ?? '')) {
      throw new SeatctlError('READBACK_MISMATCH', `${ctx.app}: ${field} changed from "${current[field] ?? ''}" to "${raw[field] ?? ''}" by the update`, { details: { app: ctx.app, field } });
    }
  }
  return raw && toAppUser(ctx.app, raw);
};

/**
 * BigID's REST API (app-facts.md): a session token from POST /sessions, users paged by
 * skip/limit, and PUT /users/{id} that replaces the whole record. Written with
 * `defineApiDriver` like every API driver: the builder adds re-login on 401, dry runs
 * that send no mutation, role checks before a role is written and the read-back rule.
 */
export const bigidApiDriver = defineApiDriver<Credentials, Options>({
  name: 'bigid-api',
  credentials: credentialsSchema,
  options: optionsSchema,
  secretFields: ['password'],
  defaultConcurrency: 4,
  capabilities: { delete: true, reactivate: true, retriesPages: true },

  async authenticate(ctx) {
    // No refresh endpoint: the session lasts until a 401, then the builder signs in again.
    const res = await ctx.send<{ auth_token?: unknown }>({ method: 'POST', path: '/sessions', json: { username: ctx.credentials.username, password: ctx.secret('password') }, sensitive: true });
    const token = res.body?.auth_token;
    if (typeof token !== 'string' || !token) throw new SeatctlError('AUTH_FAILED', `${ctx.app}: login answered without an auth_token`);
    return { headers: { authorization: `${ctx.options.authPrefix}${token}` } };
  },

  async findUser(ctx, email) {
    // No search endpoint: finding by email means paging.
    const wanted = normalizeEmail(email);
    for await (const page of pages(ctx)) {
      const hit = page.find((u) => normalizeEmail(u.email ?? '') === wanted);
      if (hit) return toAppUser(ctx.app, hit);
    }
    return null;
  },

  async *listUsers(ctx, { includeInactive, concurrency, onTotal, readPage }) {
    for await (const page of pages(ctx, { concurrency, onTotal, readPage, strict: true })) {
      const users = page.map((u) => toAppUser(ctx.app, u));
      yield includeInactive ? users : users.filter((u) => u.status === 'active');
    }
  },

  listRoles: (ctx) => roles(ctx),

  async provision(ctx, spec) {
    const domain = spec.email.split('@')[1]?.toLowerCase() ?? '';
    if (ctx.options.samlDomains.some((d) => d.toLowerCase() === domain)) {
      throw new SeatctlError('SAML_USER', `${ctx.app}: ${spec.email} signs in through SAML; BigID creates SAML users at their first SSO login, so provision them in the IdP`, { details: { app: ctx.app } });
    }
    // SAML users come from the IdP; the API only creates local users.
    ctx.note('local BigID user created with a random password: the person sets their own through password reset');
    const res = await ctx.http.send<unknown>({ method: 'POST', path: '/users', json: { name: spec.email, email: spec.email, firstName: spec.firstName, lastName: spec.lastName, role: spec.role, isEnabled: true, password: randomPassword() } });
    const created = isBigIdUser(res.body) ? res.body : (res.body as { user?: unknown })?.user;
    if (!isBigIdUser(created)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: create answered without a user id`);
    return getUser(ctx, created.id);
  },

  setRole: (ctx, user, role) => update(ctx, user, { role }),
  deactivate: (ctx, user) => update(ctx, user, { isEnabled: false }),
  reactivate: (ctx, user) => update(ctx, user, { isEnabled: true }),

  async delete(ctx, user) {
    if (user.origin === 'saml') ctx.note(SAML_NOTE);
    await ctx.http.send({ method: 'DELETE', path: `/users/${encodeURIComponent(user.id)}` });
    return getUser(ctx, user.id);
  },
});
