import { defineApiDriver, normalizeEmail, SeatctlError, secretRefSchema, z, type ApiFlowContext, type AppUser } from 'seatctl';

/**
 * An API driver written outside seatctl's src/, as docs/writing-an-api-driver.md
 * describes: Beta CRM signs in with email + password for a short-lived token, pages
 * users by offset and deactivates with PATCH. Exported by name (`driver`), not default.
 */
const credentials = z
  .object({
    email: z.email().describe('the API user seatctl signs in as'),
    password: secretRefSchema.describe('its password, as a secret reference'),
  })
  .strict();
const options = z.object({ pageSize: z.number().int().min(1).max(500).default(2).describe('users per page') }).strict();
type Ctx = ApiFlowContext<z.infer<typeof credentials>, z.infer<typeof options>>;

interface BetaUser {
  id: string;
  email: string;
  name: string;
  role: string;
  active: boolean;
}
const isBetaUser = (v: unknown): v is BetaUser => typeof (v as BetaUser)?.id === 'string' && typeof (v as BetaUser)?.email === 'string';
const toUser = (ctx: Ctx, u: BetaUser): AppUser => ({ app: ctx.app, id: u.id, email: u.email, name: u.name, role: u.role, status: u.active ? 'active' : 'inactive', origin: null, lastSeen: null, raw: u });

async function* pages(ctx: Ctx): AsyncGenerator<AppUser[]> {
  for (let offset = 0; ; offset += ctx.options.pageSize) {
    const res = await ctx.http.send<{ users?: unknown }>({ method: 'GET', path: '/users', query: { offset, limit: ctx.options.pageSize } });
    if (!Array.isArray(res.body?.users)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET /users answered without users`);
    const page = res.body.users.filter(isBetaUser).map((u) => toUser(ctx, u));
    if (page.length) yield page;
    if (page.length < ctx.options.pageSize) return;
  }
}

const getUser = async (ctx: Ctx, id: string): Promise<AppUser | null> => {
  const res = await ctx.http.send<unknown>({ method: 'GET', path: `/users/${encodeURIComponent(id)}`, accept: [404] });
  return res.status === 404 || !isBetaUser(res.body) ? null : toUser(ctx, res.body);
};

const patch = async (ctx: Ctx, user: AppUser, json: Record<string, unknown>): Promise<AppUser | null> => {
  await ctx.http.send({ method: 'PATCH', path: `/users/${encodeURIComponent(user.id)}`, json });
  return getUser(ctx, user.id);
};

export const driver = defineApiDriver({
  name: 'beta-api',
  credentials,
  options,
  secretFields: ['password'],

  async authenticate(ctx) {
    const res = await ctx.send<{ token?: unknown; expires_in?: unknown }>({
      method: 'POST',
      path: '/auth',
      json: { email: ctx.credentials.email, password: ctx.secret('password') },
      sensitive: true,
    });
    if (typeof res.body?.token !== 'string') throw new SeatctlError('AUTH_FAILED', `${ctx.app}: sign-in answered without a token`);
    const ttl = typeof res.body.expires_in === 'number' ? res.body.expires_in : 600;
    return { headers: { authorization: `Bearer ${res.body.token}` }, expiresInMs: (ttl - 30) * 1000 };
  },

  async findUser(ctx, email) {
    const wanted = normalizeEmail(email);
    for await (const page of pages(ctx)) {
      const hit = page.find((u) => normalizeEmail(u.email) === wanted);
      if (hit) return hit;
    }
    return null;
  },

  async *listUsers(ctx, { includeInactive }) {
    for await (const page of pages(ctx)) yield includeInactive ? page : page.filter((u) => u.status === 'active');
  },

  listRoles: (ctx) => ctx.memo('roles', async () => ((await ctx.http.send<string[]>({ method: 'GET', path: '/roles' })).body ?? []).map(String)),

  setRole: (ctx, user, role) => patch(ctx, user, { role }),
  deactivate: (ctx, user) => patch(ctx, user, { active: false }),
  reactivate: (ctx, user) => patch(ctx, user, { active: true }),
});
