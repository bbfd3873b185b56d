import { randomBytes } from 'node:crypto';
import { consoleOptionsSchema, defineConsoleDriver, findByEmail, readTable, SeatctlError, secretRefSchema, usersFromTable, z, type AppUser, type FlowContext } from 'seatctl';
import { acmeLocators, acmePopups } from './locators.js';

/**
 * A console driver written outside seatctl's src/, as docs/writing-a-console-driver.md
 * describes: Acme Admin has no user API, so offboarding clicks the row's Deactivate
 * and confirms the dialog. Loaded by path from the config (`"driver": "./acme/driver.ts"`).
 */
const credentials = z
  .object({
    email: z.email().describe('the admin login seatctl signs in as'),
    password: secretRefSchema.describe('its password, as a secret reference'),
  })
  .strict();
const options = consoleOptionsSchema;
type Ctx = FlowContext<z.infer<typeof credentials>, z.infer<typeof options>>;

async function openUsers(ctx: Ctx): Promise<void> {
  await ctx.goto('/admin/users');
  await ctx.find('usersTable');
}

/** The whole table in one DOM read. Acme shows no ids: the email is the key. */
const readUsers = async (ctx: Ctx): Promise<AppUser[]> => usersFromTable(ctx.app, await readTable(await ctx.find('usersTable')));

async function findUser(ctx: Ctx, email: string): Promise<AppUser | null> {
  await openUsers(ctx);
  return findByEmail(await readUsers(ctx), email);
}

export default defineConsoleDriver({
  name: 'acme-ui',
  credentials,
  options,
  secretFields: ['password'],
  locators: acmeLocators,
  popups: acmePopups,
  isLoginUrl: (url) => url.pathname === '/login',

  async login(ctx) {
    await ctx.goto('/login');
    await (await ctx.find('loginEmail')).fill(ctx.credentials.email);
    await ctx.fillSecret(await ctx.find('loginPassword'), 'password');
    await ctx.step('sign-in form (password masked)');
    await (await ctx.find('signIn')).click();
    // Signed in when the admin navigation shows; refused when an alert does.
    await ctx.locator('usersNav').or(ctx.locator('loginError')).first().waitFor();
    if (await ctx.locator('loginError').isVisible()) {
      throw new SeatctlError('AUTH_FAILED', `${ctx.app}: sign-in refused: ${await ctx.locator('loginError').innerText()}`);
    }
  },

  findUser,

  async *listUsers(ctx, { includeInactive }) {
    await openUsers(ctx);
    const users = await readUsers(ctx);
    yield includeInactive ? users : users.filter((u) => u.status === 'active');
  },

  async listRoles(ctx) {
    await openUsers(ctx);
    return (await (await ctx.find('roleFilter')).locator('option').allInnerTexts()).map((o) => o.trim());
  },

  async provision(ctx, spec) {
    await ctx.goto('/admin/users/new');
    await (await ctx.find('newName')).fill(`${spec.firstName} ${spec.lastName}`);
    await (await ctx.find('newEmail')).fill(spec.email);
    await (await ctx.find('newRole')).selectOption({ label: spec.role });
    // Acme wants a first password; the person sets their own at first sign-in. Typed in a
    // secret step: the trace pauses until the form has gone (the users page shows).
    const password = randomBytes(18).toString('base64url');
    await ctx.secretStep('first password', async () => {
      await ctx.fillSecretValue(await ctx.find('newPassword'), password);
      await ctx.confirm(await ctx.find('saveUser'), ctx.locator('cancelNew'), `add ${spec.email} as ${spec.role}`);
      await ctx.find('usersTable');
    });
    return findUser(ctx, spec.email);
  },

  async deactivate(ctx, user) {
    await openUsers(ctx);
    await ctx.step(`before deactivating ${user.email}`);
    await (await ctx.find('deactivateRow', user.email)).click();
    await ctx.find('confirmDialog');
    // A dry run stops here: screenshot of the dialog, then Cancel.
    await ctx.confirm(await ctx.find('confirmDeactivate'), ctx.locator('cancelDialog'), `confirm deactivating ${user.email}`);
    await ctx.locator('confirmDialog').waitFor({ state: 'hidden' });
    await ctx.step(`after deactivating ${user.email}`);
    // Read back from a fresh page load, not the page's own update.
    return findUser(ctx, user.email);
  },

  async canary(ctx) {
    // Walk the path a person would, and check the controls the flows rely on.
    await ctx.goto('/admin/users');
    await (await ctx.find('usersNav')).click();
    await ctx.find('usersTable');
    await ctx.find('roleFilter');
  },
});
