import { defineConsoleDriver } from '../../src/console/define-console-driver.js';
import { sigmaLocators } from './locators.js';
import { sigmaCredentialsSchema, sigmaOptionsSchema, type SigmaCredentials, type SigmaOptions } from './options.js';
import { accountTypes, findMember, listMembers, sigmaCanary, sigmaLogin } from './people.js';
import { transferDocuments } from './transfer.js';

/**
 * Sigma's admin console, for one job the API driver (`sigma-api`) leaves to it: handing
 * a leaver's documents to a named member (their manager) before the member is archived
 * through the API, which alone would give them to the API client's user. Everything
 * else (provision, roles, deactivation) is the API's: this driver says so in its
 * capabilities and answers UNSUPPORTED. Sigma's own help shows the "Select new owner"
 * picker inside the Deactivate dialog; see docs/vendor-consoles.md, "Sigma".
 */
export const sigmaUiDriver = defineConsoleDriver<SigmaCredentials, SigmaOptions>({
  name: 'sigma-ui',
  credentials: sigmaCredentialsSchema,
  options: sigmaOptionsSchema,
  secretFields: ['password'],
  defaultConcurrency: 2,
  locators: sigmaLocators,
  capabilities: { delete: false, listsDeactivated: true },
  isLoginUrl: (url) => url.pathname === '/login',
  login: sigmaLogin,
  findUser: findMember,
  listUsers: (ctx, { includeInactive, onTotal }) => listMembers(ctx, includeInactive, onTotal),
  listRoles: accountTypes,
  transferOwnership: transferDocuments,
  canary: sigmaCanary,
});
