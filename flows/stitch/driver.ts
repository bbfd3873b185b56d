import { defineConsoleDriver } from '../../src/console/define-console-driver.js';
import { stitchLocators, stitchPopups } from './locators.js';
import { stitchCredentialsSchema, stitchOptionsSchema, type StitchCredentials, type StitchOptions } from './options.js';
import { changeRole, deactivateMember, findMember, inviteMember, listTeam, reinviteMember, stitchCanary, stitchLogin, stitchRoles, TRANSIENT_ALERT } from './team.js';

/**
 * Stitch has no user API (the Connect API covers pipelines only) and Okta SSO covers
 * sign-in only: removing someone in Okta leaves their Stitch account. So offboarding
 * goes through Manage Account Settings → Team Members. Deactivated members vanish
 * from the team; "reactivate" is a re-invite with the former role.
 */
export const stitchUiDriver = defineConsoleDriver<StitchCredentials, StitchOptions>({
  name: 'stitch-ui',
  credentials: stitchCredentialsSchema,
  options: stitchOptionsSchema,
  secretFields: ['password'],
  defaultConcurrency: 2,
  locators: stitchLocators,
  popups: stitchPopups,
  capabilities: { listsDeactivated: false },
  isLoginUrl: (url) => url.pathname === '/signin',
  transientAlert: TRANSIENT_ALERT,
  login: stitchLogin,
  findUser: findMember,
  // Stitch teams fit one page; deactivated members are not listed at all (the console
  // drops them), so includeInactive changes nothing.
  listUsers: (ctx, { onTotal }) => listTeam(ctx, onTotal),
  listRoles: stitchRoles,
  provision: inviteMember,
  setRole: changeRole,
  deactivate: deactivateMember,
  reactivate: reinviteMember,
  canary: stitchCanary,
});
