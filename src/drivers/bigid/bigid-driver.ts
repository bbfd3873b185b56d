import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-ref.js';
import { SeatctlError } from '../../errors/index.js';
import { normalizeEmail, type AppUser } from '../../model/index.js';
import type { ChangeResult, Driver, DriverCallContext, ProvisionSpec } from '../driver.js';
import { defineDriver, type DriverDeps } from '../definition.js';
import { assertReadBack, checkRoles, randomPassword } from '../read-back.js';
import { createBigIdSession } from './bigid-session.js';
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

const SAML_NOTE = 'SAML user: also disable this person in the IdP, or they regain access at their next SSO login';

export const bigidApiDriver = defineDriver<Credentials, Options>({
  name: 'bigid-api',
  kind: 'api',
  credentials: credentialsSchema,
  options: optionsSchema,
  secretFields: ['password'],
  defaultConcurrency: 4,
  create: (deps) => createBigIdDriver(deps),
});

export function createBigIdDriver(deps: DriverDeps<Credentials, Options>): Driver {
  const { http, app } = deps;
  const session = createBigIdSession({
    http,
    username: deps.credentials.username,
    password: () => deps.secret('password'),
    authPrefix: deps.options.authPrefix,
  });
  let pageSize = deps.options.pageSize;
  let rolesCache: string[] | null = null;

  const getRaw = async (id: string, ctx: DriverCallContext): Promise<BigIdUser | null> => {
    const res = await session.send<unknown>({ method: 'GET', path: `/users/${encodeURIComponent(id)}`, accept: [404] }, ctx.evidence);
    if (res.status === 404) return null;
    const body = res.body as { user?: unknown } | undefined;
    const raw = isBigIdUser(body) ? body : body?.user;
    if (!isBigIdUser(raw)) throw new SeatctlError('UPSTREAM_REJECTED', `${app}: unexpected user record shape`);
    return raw;
  };

  interface Page {
    users: BigIdUser[];
    total: number | undefined;
  }

  type ReadPage = <T>(read: () => Promise<T>) => Promise<T>;
  const once: ReadPage = (read) => read();

  const fetchPage = async (skip: number, limit: number, ctx: DriverCallContext, readPage: ReadPage): Promise<Page> => {
    const res = await readPage(() => session.send<{ users?: unknown; totalCount?: unknown }>({ method: 'GET', path: '/users', query: { skip, limit } }, ctx.evidence));
    const users = Array.isArray(res.body?.users) ? res.body.users.filter(isBigIdUser) : null;
    if (!users) throw new SeatctlError('UPSTREAM_REJECTED', `${app}: GET /users answered without a users array`);
    return { users, total: typeof res.body?.totalCount === 'number' ? res.body.totalCount : undefined };
  };

  const refusedSize = (err: unknown): boolean => err instanceof SeatctlError && err.code === 'UPSTREAM_REJECTED' && err.details.status === 400;

  /**
   * The first page, at the largest size the server accepts. BigID documents no maximum
   * `limit`; a deployment that refuses ours answers 400, so ask for half as many until
   * it answers (and remember the size for the driver's life).
   */
  const firstPage = async (ctx: DriverCallContext, readPage: ReadPage): Promise<Page> => {
    for (;;) {
      const limit = pageSize;
      try {
        return await fetchPage(0, limit, ctx, readPage);
      } catch (err) {
        if (!refusedSize(err) || limit <= 1) throw err;
        pageSize = Math.min(pageSize, Math.max(1, Math.floor(limit / 2)));
        deps.log.warn({ app, refused: limit, next: pageSize }, 'page size refused; asking for fewer users per page');
      }
    }
  };

  const changedDuringListing = (detail: string): SeatctlError =>
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
  async function* pages(ctx: DriverCallContext, options: PageOptions = {}): AsyncGenerator<BigIdUser[]> {
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
        const page = await fetchPage(skip, pageSize, ctx, readPage);
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
        const p = fetchPage(offsets[launched]!, step, ctx, readPage);
        // Handled here so a page that fails behind an earlier failure is not an
        // unhandled rejection; awaiting it below still throws.
        p.catch(() => undefined);
        inFlight.push(p);
        launched += 1;
      }
      const page = await inFlight.shift()!;
      const offset = offsets[i]!;
      const expected = Math.min(step, total - offset);
      if (options.strict && page.total !== total) throw changedDuringListing(`totalCount went from ${total} to ${page.total ?? 'missing'}`);
      const users = [...page.users];
      // Served fewer than asked while more exist: read on from skip+n until the slot
      // this page covers is full.
      while (users.length < expected) {
        const rest = await fetchPage(offset + users.length, expected - users.length, ctx, readPage);
        if (options.strict && rest.total !== total) throw changedDuringListing(`totalCount went from ${total} to ${rest.total ?? 'missing'}`);
        if (rest.users.length === 0) break;
        users.push(...rest.users);
      }
      if (options.strict && users.length !== expected) throw changedDuringListing(`the page at skip=${offset} had ${users.length} users, expected ${expected}`);
      if (users.length === 0) return;
      yield users;
    }
  }

  const roles = async (ctx: DriverCallContext): Promise<string[]> => {
    if (rolesCache) return rolesCache;
    const res = await session.send<unknown>({ method: 'GET', path: '/roles' }, ctx.evidence);
    const list = Array.isArray(res.body) ? res.body : (res.body as { roles?: unknown })?.roles;
    if (!Array.isArray(list)) throw new SeatctlError('UPSTREAM_REJECTED', `${app}: GET /roles answered without a roles list`);
    rolesCache = list.map((r) => (typeof r === 'string' ? r : String((r as { name?: unknown }).name ?? ''))).filter(Boolean);
    return rolesCache;
  };

  const checkRole = async (role: string, ctx: DriverCallContext): Promise<void> => checkRoles(app, [role], await roles(ctx));

  /** GET, merge, PUT: the only safe way to change one field of a full-replacement record. */
  const update = async (user: AppUser, change: Partial<BigIdUser>, ctx: DriverCallContext, expected: string, ok: (u: AppUser) => boolean): Promise<ChangeResult> => {
    const current = await getRaw(user.id, ctx);
    if (!current) throw new SeatctlError('USER_NOT_FOUND', `${app}: user ${user.email} (${user.id}) no longer exists`);
    const body = mergedPutBody(current, change);
    const req = { method: 'PUT' as const, path: `/users/${encodeURIComponent(user.id)}`, json: body };
    const notes = current.origin === 'saml' && change.isEnabled === false ? [SAML_NOTE] : [];
    if (ctx.dryRun) {
      http.plan(req, ctx.evidence);
      return { changed: false, planned: true, after: toAppUser(app, { ...current, ...change }), notes };
    }
    await session.send(req, ctx.evidence);
    const raw = await getRaw(user.id, ctx);
    const after = assertReadBack(app, raw && toAppUser(app, raw), ok, expected);
    // The PUT trap: prove nothing else was reset by the replacement.
    for (const field of ['role', 'firstName', 'lastName', 'email'] as const) {
      if (!(field in change) && (current[field] ?? '') !== (raw?.[field] ?? '')) {
        throw new SeatctlError('READBACK_MISMATCH', `${app}: ${field} changed from "${current[field] ?? ''}" to "${raw?.[field] ?? ''}" by the update`, { details: { app, field } });
      }
    }
    return { changed: true, after, notes };
  };

  return {
    app,
    kind: 'api',
    capabilities: { delete: true, reactivate: true, retriesPages: true },

    async findUser(email, ctx) {
      // No search endpoint: finding by email means paging.
      const wanted = normalizeEmail(email);
      for await (const page of pages(ctx)) {
        const hit = page.find((u) => normalizeEmail(u.email ?? '') === wanted);
        if (hit) return toAppUser(app, hit);
      }
      return null;
    },

    async *listUsers(ctx, options) {
      for await (const page of pages(ctx, { concurrency: options?.concurrency, onTotal: options?.onTotal, readPage: options?.readPage, strict: true })) {
        const users = page.map((u) => toAppUser(app, u));
        yield options?.includeInactive === false ? users.filter((u) => u.status === 'active') : users;
      }
    },

    listRoles: (ctx) => roles(ctx),

    async validateProvision(specs, ctx) {
      const known = await roles(ctx);
      const bad = specs.filter((s) => !known.includes(s.role));
      if (bad.length) {
        throw new SeatctlError('ROLE_INVALID', `${app}: unknown role(s) ${[...new Set(bad.map((s) => `"${s.role}"`))].join(', ')}; roles: ${known.join(', ')} (case-sensitive)`, { details: { app } });
      }
    },

    async provision(spec: ProvisionSpec, ctx) {
      const domain = spec.email.split('@')[1]?.toLowerCase() ?? '';
      if (deps.options.samlDomains.some((d) => d.toLowerCase() === domain)) {
        throw new SeatctlError('SAML_USER', `${app}: ${spec.email} signs in through SAML; BigID creates SAML users at their first SSO login, so provision them in the IdP`, { details: { app } });
      }
      await checkRole(spec.role, ctx);
      // SAML users come from the IdP; the API only creates local users.
      const json = { name: spec.email, email: spec.email, firstName: spec.firstName, lastName: spec.lastName, role: spec.role, isEnabled: true, password: randomPassword() };
      const req = { method: 'POST' as const, path: '/users', json };
      const notes = ['local BigID user created with a random password: the person sets their own through password reset'];
      if (ctx.dryRun) {
        http.plan(req, ctx.evidence);
        return { changed: false, planned: true, after: null, notes };
      }
      const res = await session.send<unknown>(req, ctx.evidence);
      const created = isBigIdUser(res.body) ? res.body : (res.body as { user?: unknown })?.user;
      if (!isBigIdUser(created)) throw new SeatctlError('UPSTREAM_REJECTED', `${app}: create answered without a user id`);
      const raw = await getRaw(created.id, ctx);
      const after = assertReadBack(app, raw && toAppUser(app, raw), (u) => u.status === 'active' && u.role === spec.role, `active with role ${spec.role}`);
      return { changed: true, after, notes };
    },

    async setRole(user, role, ctx) {
      await checkRole(role, ctx);
      return update(user, { role }, ctx, `role ${role}`, (u) => u.role === role);
    },

    deactivate: (user, ctx) => update(user, { isEnabled: false }, ctx, 'disabled', (u) => u.status === 'inactive'),

    reactivate: (user, ctx) => update(user, { isEnabled: true }, ctx, 'enabled', (u) => u.status === 'active'),

    async delete(user, ctx) {
      const req = { method: 'DELETE' as const, path: `/users/${encodeURIComponent(user.id)}` };
      const notes = user.origin === 'saml' ? [SAML_NOTE] : [];
      if (ctx.dryRun) {
        http.plan(req, ctx.evidence);
        return { changed: false, planned: true, after: null, notes };
      }
      await session.send(req, ctx.evidence);
      if (await getRaw(user.id, ctx)) throw new SeatctlError('READBACK_MISMATCH', `${app}: ${user.email} still exists after DELETE`);
      return { changed: true, after: null, notes };
    },

    async close() {
      session.invalidate();
    },
  };
}
