import type { LocatorMap, Popup } from 'seatctl';

/**
 * Every Acme Admin control the flows touch, by accessible role and name: an Acme
 * redesign is a change to this file only, and `seatctl doctor` names the entry that
 * stopped matching.
 */
export const acmeLocators = {
  loginEmail: (p) => p.getByLabel('Email'),
  loginPassword: (p) => p.getByLabel('Password'),
  signIn: (p) => p.getByRole('button', { name: 'Sign in' }),
  loginError: (p) => p.getByRole('alert'),
  usersNav: (p) => p.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }),
  usersTable: (p) => p.getByRole('table', { name: 'Users' }),
  roleFilter: (p) => p.getByRole('combobox', { name: 'Filter by role' }),
  deactivateRow: (p, email = '') => p.getByRole('button', { name: `Deactivate ${email}`, exact: true }),
  confirmDialog: (p) => p.getByRole('dialog', { name: 'Deactivate user?' }),
  confirmDeactivate: (p) => p.getByRole('dialog', { name: 'Deactivate user?' }).getByRole('button', { name: 'Deactivate', exact: true }),
  newName: (p) => p.getByRole('textbox', { name: 'Name' }),
  newEmail: (p) => p.getByRole('textbox', { name: 'Email' }),
  newRole: (p) => p.getByRole('combobox', { name: 'Role' }),
  newPassword: (p) => p.getByLabel('First password'),
  saveUser: (p) => p.getByRole('button', { name: 'Save user' }),
  cancelNew: (p) => p.getByRole('link', { name: 'Cancel' }),
  cancelDialog: (p) => p.getByRole('dialog', { name: 'Deactivate user?' }).getByRole('button', { name: 'Cancel' }),
} satisfies LocatorMap;

/** Shown once per session, at a random moment after the users page loads. */
export const acmePopups: Popup[] = [
  {
    locator: (p) => p.getByRole('dialog', { name: "What's new in Acme" }),
    dismiss: (p) => p.getByRole('dialog', { name: "What's new in Acme" }).getByRole('button', { name: 'Dismiss' }).click(),
  },
];
