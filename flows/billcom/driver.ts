import { defineConsoleDriver } from '../../src/console/define-console-driver.js';
import { billcomLocators, billcomPopups } from './locators.js';
import { billcomLogin } from './login.js';
import { billcomCredentialsSchema, billcomOptionsSchema, type BillcomCredentials, type BillcomOptions } from './options.js';
import { billcomRoles, findBillcomUser, listBillcomUsers, openUsers, TRANSIENT_ALERT } from './users.js';
import { addBillcomUser, deactivateBillcomUser, reactivateBillcomUser, setBillcomRole } from './user-actions.js';

const LOGIN_PATHS = new Set(['/login', '/mfa', '/choose-org']);

/**
 * Bill.com has no public user API: Settings → Users in the web console. Users are
 * deactivated, never deleted (Bill.com keeps them for auditing), so there is no delete.
 */
export const billcomUiDriver = defineConsoleDriver<BillcomCredentials, BillcomOptions>({
  name: 'billcom-ui',
  credentials: billcomCredentialsSchema,
  options: billcomOptionsSchema,
  secretFields: ['password', 'totpSecret'],
  defaultConcurrency: 2,
  locators: billcomLocators,
  popups: billcomPopups,
  isLoginUrl: (url) => LOGIN_PATHS.has(url.pathname),
  transientAlert: TRANSIENT_ALERT,
  login: billcomLogin,
  findUser: findBillcomUser,
  listUsers: (ctx, { includeInactive, onTotal, concurrency }) => listBillcomUsers(ctx, includeInactive, { onTotal, concurrency }),
  listRoles: billcomRoles,
  provision: addBillcomUser,
  setRole: setBillcomRole,
  deactivate: deactivateBillcomUser,
  reactivate: reactivateBillcomUser,
  canary: async (ctx) => {
    await openUsers(ctx, { inactive: false });
    for (const name of ['usersHeading', 'addUserButton', 'usersTable']) await ctx.find(name);
  },
});
