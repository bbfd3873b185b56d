import { envName } from './console-template.js';

/**
 * The starter API driver `seatctl new-driver <name> --kind api` writes: a REST app
 * with a token sign-in, a paged users list and a deactivate call. Every guess about the
 * app's API is marked TODO.
 */
export function apiDriverModule(name: string): string {
  return `import { defineApiDriver, normalizeEmail, SeatctlError, secretRefSchema, z, type AppUser, type ApiFlowContext } from 'seatctl';

/**
 * ${name}: users through its HTTP API. See docs/writing-an-api-driver.md.
 * Config: { "driver": "./drivers/${name}/driver.ts", "baseUrl": "https://…/api/v1",
 *           "credentials": { "apiKey": "env:${envName(name)}_API_KEY" } }
 */
const credentials = z
  .object({
    apiKey: secretRefSchema.describe('the API key, as a secret reference (env:NAME or file:/path)'),
  })
  .strict();
const options = z
  .object({
    pageSize: z.number().int().min(1).max(1000).default(100).describe('users per page'),
  })
  .strict();
type Ctx = ApiFlowContext<z.infer<typeof credentials>, z.infer<typeof options>>;

/** TODO: the app's user record. */
interface RemoteUser {
  id: string;
  email: string;
  name?: string;
  role?: string;
  active?: boolean;
}

const isRemoteUser = (v: unknown): v is RemoteUser => typeof (v as RemoteUser)?.id === 'string' && typeof (v as RemoteUser)?.email === 'string';

function toUser(ctx: Ctx, u: RemoteUser): AppUser {
  return { app: ctx.app, id: u.id, email: u.email, name: u.name ?? u.email, role: u.role ?? null, status: u.active === false ? 'inactive' : 'active', origin: null, lastSeen: null, raw: u };
}

/** TODO: the app's pagination (offset, page number or cursor). */
async function* pages(ctx: Ctx): AsyncGenerator<RemoteUser[]> {
  for (let offset = 0; ; offset += ctx.options.pageSize) {
    const res = await ctx.http.send<{ users?: unknown }>({ method: 'GET', path: '/users', query: { offset, limit: ctx.options.pageSize } });
    if (!Array.isArray(res.body?.users)) throw new SeatctlError('UPSTREAM_REJECTED', \`\${ctx.app}: GET /users answered without a users array\`);
    const users = res.body.users.filter(isRemoteUser);
    yield users;
    if (users.length < ctx.options.pageSize) return;
  }
}

async function getUser(ctx: Ctx, id: string): Promise<AppUser | null> {
  const res = await ctx.http.send<unknown>({ method: 'GET', path: \`/users/\${encodeURIComponent(id)}\`, accept: [404] });
  return res.status === 404 || !isRemoteUser(res.body) ? null : toUser(ctx, res.body);
}

export default defineApiDriver({
  name: '${name}-api',
  credentials,
  options,
  secretFields: ['apiKey'],

  // TODO: a static key needs no sign-in request; an app with sessions would POST here
  // (mark it \`sensitive: true\`) and return the token's headers and lifetime.
  async authenticate(ctx) {
    return { headers: { authorization: \`Bearer \${ctx.secret('apiKey')}\` } };
  },

  async findUser(ctx, email) {
    const wanted = normalizeEmail(email);
    for await (const page of pages(ctx)) {
      const hit = page.find((u) => normalizeEmail(u.email) === wanted);
      if (hit) return toUser(ctx, hit);
    }
    return null;
  },

  async *listUsers(ctx, { includeInactive }) {
    for await (const page of pages(ctx)) {
      const users = page.map((u) => toUser(ctx, u));
      yield includeInactive ? users : users.filter((u) => u.status === 'active');
    }
  },

  async listRoles(ctx) {
    const res = await ctx.http.send<unknown>({ method: 'GET', path: '/roles' }); // TODO
    return Array.isArray(res.body) ? res.body.map(String) : [];
  },

  async deactivate(ctx, user) {
    // In a dry run this request is recorded as planned, never sent, and the flow stops here.
    await ctx.http.send({ method: 'PATCH', path: \`/users/\${encodeURIComponent(user.id)}\`, json: { active: false } }); // TODO
    // Read back: seatctl fails the task unless the user now has no access.
    return getUser(ctx, user.id);
  },
});
`;
}
