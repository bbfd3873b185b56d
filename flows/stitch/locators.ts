import type { Page } from 'playwright';
import type { LocatorMap, Popup } from '../../src/console/flow-context.js';

/**
 * Every Stitch control the flows touch, by accessible role and name. A Stitch
 * redesign is a change to this file only; `seatctl doctor` names the entry that
 * stopped matching.
 */
export const stitchLocators = {
  loginEmail: (p) => p.getByRole('textbox', { name: 'Email' }),
  loginPassword: (p) => p.getByLabel('Password'),
  // "Sign in with SSO" is a different button: match exactly.
  signIn: (p) => p.getByRole('button', { name: 'Sign in', exact: true }),
  loginError: (p) => p.getByRole('alert'),
  userMenu: (p) => p.getByRole('button', { name: 'User menu' }),
  accountSettings: (p) => p.getByRole('menuitem', { name: 'Manage Account Settings' }),
  teamNav: (p) => p.getByRole('navigation', { name: 'Account settings' }).getByRole('link', { name: 'Team Members' }),
  teamHeading: (p) => p.getByRole('heading', { name: 'Team Members', level: 2 }),
  membersTable: (p) => p.getByRole('table', { name: 'Team members' }),
  /** The error panel shown instead of the table when the team fails to load. */
  teamError: (p) => p.getByRole('alert').filter({ hasText: /\S/ }),
  addMember: (p) => p.getByRole('button', { name: 'Add a Team Member' }),
  inviteDialog: (p) => p.getByRole('dialog', { name: 'Add a Team Member' }),
  inviteEmail: (p) => p.getByRole('dialog', { name: 'Add a Team Member' }).getByRole('textbox', { name: 'Email' }),
  inviteRole: (p) => p.getByRole('dialog', { name: 'Add a Team Member' }).getByRole('combobox', { name: 'Role' }),
  sendInvite: (p) => p.getByRole('button', { name: 'Send invite' }),
  dialogCancel: (p) => p.getByRole('dialog').getByRole('button', { name: 'Cancel' }),
  roleSelect: (p, email = '') => p.getByRole('combobox', { name: `Role for ${email}`, exact: true }),
  deactivateRow: (p, email = '') => p.getByRole('button', { name: `Deactivate ${email}`, exact: true }),
  deactivateDialog: (p) => p.getByRole('dialog', { name: 'Deactivate team member?' }),
  deactivateConfirm: (p) => p.getByRole('dialog', { name: 'Deactivate team member?' }).getByRole('button', { name: 'Deactivate', exact: true }),
  /**
   * A toast in "Notifications" (the one naming `about` when given), or a refusal (alert)
   * on the page or in a dialog. Toasts stay ~6 s: on a continued visit the previous
   * call's toast may still show, so a flow names what its own toast must say.
   */
  outcome: (p, about = '') =>
    (about ? p.getByRole('status', { name: 'Notifications' }).getByText(about) : p.getByRole('status', { name: 'Notifications' }).filter({ hasText: /\S/ })).or(p.getByRole('alert').filter({ hasText: /\S/ })),
} satisfies LocatorMap;

export const stitchPopups: Popup[] = [
  {
    locator: (p: Page) => p.getByRole('dialog', { name: "What's new in Stitch" }),
    dismiss: (p: Page) => p.getByRole('dialog', { name: "What's new in Stitch" }).getByRole('button', { name: 'Got it' }).click(),
  },
  {
    locator: (p: Page) => p.getByRole('region', { name: 'Cookie consent' }),
    dismiss: (p: Page) => p.getByRole('region', { name: 'Cookie consent' }).getByRole('button', { name: 'Accept all' }).click(),
  },
];
