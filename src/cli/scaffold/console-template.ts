/**
 * The starter console driver `seatctl new-driver <name> --kind console` writes. The
 * guesses (sign-in at /login, a "Users" table at /admin/users) are marked TODO: the
 * author replaces them with what the app really shows, usually in locators.ts only.
 */
export function consoleLocatorsModule(name: string): string {
  return `import type { LocatorMap, Popup } from 'seatctl';

/**
 * Every ${name} control the flows touch, by accessible role and name (what a screen
 * reader announces; check with Playwright's codegen or the browser's accessibility
 * tree). A redesign of ${name} is a change to this file only, and \`seatctl doctor\`
 * names the entry that stopped matching.
 */
export const locators = {
  // TODO: the sign-in form's fields and button.
  loginEmail: (p) => p.getByLabel('Email'),
  loginPassword: (p) => p.getByLabel('Password'),
  signIn: (p) => p.getByRole('button', { name: 'Sign in' }),
  loginError: (p) => p.getByRole('alert'),
  // TODO: the users list, one row per person, with column headers.
  usersTable: (p) => p.getByRole('table', { name: 'Users' }),
  // TODO: the per-row action; \`email\` comes from the flow (see deactivate in driver.ts).
  deactivateRow: (p, email = '') => p.getByRole('button', { name: \`Deactivate \${email}\`, exact: true }),
  // TODO: the confirmation dialog and its buttons.
  confirmDialog: (p) => p.getByRole('dialog'),
  confirmDeactivate: (p) => p.getByRole('dialog').getByRole('button', { name: 'Deactivate', exact: true }),
  cancelDialog: (p) => p.getByRole('dialog').getByRole('button', { name: 'Cancel' }),
} satisfies LocatorMap;

/** Pop-ups that may cover the page at any moment (what's new, cookie banners). TODO: add yours. */
export const popups: Popup[] = [];
`;
}

export function consoleDriverModule(name: string): string {
  return `import { consoleOptionsSchema, defineConsoleDriver, findByEmail, readTable, SeatctlError, secretRefSchema, usersFromTable, z, type AppUser, type FlowContext } from 'seatctl';
import { locators, popups } from './locators.js';

/**
 * ${name}: offboarding through its admin console. See docs/writing-a-console-driver.md.
 * Config: { "driver": "./drivers/${name}/driver.ts", "baseUrl": "https://…",
 *           "credentials": { "email": "…", "password": "env:${envName(name)}_PASSWORD" } }
 */
const credentials = z
  .object({
    email: z.string().min(1).describe('the admin login seatctl signs in as'),
    password: secretRefSchema.describe('its password, as a secret reference (env:NAME or file:/path)'),
  })
  .strict();
// TODO: the driver's own options, if any: consoleOptionsSchema.extend({ … }).
const options = consoleOptionsSchema;
type Ctx = FlowContext<z.infer<typeof credentials>, z.infer<typeof options>>;

const USERS_PATH = '/admin/users'; // TODO: the users page, relative to baseUrl

async function openUsers(ctx: Ctx): Promise<void> {
  await ctx.goto(USERS_PATH);
  await ctx.find('usersTable');
}

// TODO: your column headers (an \`id\` column too, if the table shows one).
const COLUMNS = { email: 'Email', name: 'Name', role: 'Role', status: 'Status' };

/** The whole table in one DOM read, one AppUser per row. */
async function readUsers(ctx: Ctx): Promise<AppUser[]> {
  return usersFromTable(ctx.app, await readTable(await ctx.find('usersTable')), COLUMNS);
}

async function findUser(ctx: Ctx, email: string): Promise<AppUser | null> {
  await openUsers(ctx);
  return findByEmail(await readUsers(ctx), email);
}

export default defineConsoleDriver({
  name: '${name}-ui',
  credentials,
  options,
  secretFields: ['password'],
  locators,
  popups,
  // TODO: true on the sign-in page (and MFA steps): seatctl then signs in again.
  isLoginUrl: (url) => url.pathname.startsWith('/login'),

  async login(ctx) {
    await ctx.goto('/login'); // TODO: the sign-in page
    await (await ctx.find('loginEmail')).fill(ctx.credentials.email);
    await ctx.fillSecret(await ctx.find('loginPassword'), 'password');
    await ctx.step('sign-in form (password masked)');
    await (await ctx.find('signIn')).click();
    // Wait for a result, never for a fixed time: the users page, or an error.
    await ctx.locator('usersTable').or(ctx.locator('loginError')).first().waitFor();
    if (await ctx.locator('loginError').isVisible()) {
      throw new SeatctlError('AUTH_FAILED', \`\${ctx.app}: sign-in refused: \${await ctx.locator('loginError').innerText()}\`);
    }
  },

  findUser,

  async *listUsers(ctx, { includeInactive }) {
    await openUsers(ctx);
    // TODO: page through the list if the app paginates (yield one page at a time).
    const users = await readUsers(ctx);
    yield includeInactive ? users : users.filter((u) => u.status === 'active');
  },

  async listRoles(ctx) {
    // TODO: read the roles the app offers (e.g. a role <select>'s options).
    await openUsers(ctx);
    return [...new Set((await readUsers(ctx)).map((u) => u.role).filter((r): r is string => Boolean(r)))];
  },

  async deactivate(ctx, user) {
    await openUsers(ctx);
    await ctx.step(\`before deactivating \${user.email}\`);
    await (await ctx.find('deactivateRow', user.email)).click();
    await ctx.find('confirmDialog');
    // A dry run stops here: it screenshots the dialog, clicks Cancel and reports "planned".
    await ctx.confirm(await ctx.find('confirmDeactivate'), ctx.locator('cancelDialog'), \`confirm deactivating \${user.email}\`);
    await ctx.locator('confirmDialog').waitFor({ state: 'hidden' });
    await ctx.step(\`after deactivating \${user.email}\`);
    // Read back from a fresh page load: seatctl fails the task unless it shows no access.
    return findUser(ctx, user.email);
  },

  // Read-only check for \`seatctl doctor\`: visit the pages the flows use, find their key controls.
  async canary(ctx) {
    await openUsers(ctx);
  },
});
`;
}

/** ACME-CRM → ACME_CRM, for the example environment variable names. */
export function envName(name: string): string {
  return name.toUpperCase().replace(/-/g, '_');
}
