import type { LocatorMap } from '../../src/console/flow-context.js';

/**
 * Every Sigma admin-console control the hand-over flow touches, by accessible role and
 * name, in one place: a console redesign is a change to this file only. The names are
 * the ones Sigma's help uses (People, Members, Select new owner).
 */
const dialog = (p: Parameters<LocatorMap[string]>[0]) => p.getByRole('dialog', { name: 'Transfer ownership' });

export const sigmaLocators = {
  loginEmail: (p) => p.getByRole('textbox', { name: 'Email' }),
  loginPassword: (p) => p.getByLabel('Password'),
  signIn: (p) => p.getByRole('button', { name: 'Sign in', exact: true }),
  loginError: (p) => p.getByRole('alert'),
  adminNav: (p) => p.getByRole('navigation', { name: 'Administration' }),
  peopleNav: (p) => p.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'People', exact: true }),
  peopleHeading: (p) => p.getByRole('heading', { name: 'People', level: 1 }),
  membersTable: (p) => p.getByRole('table', { name: 'Members' }),
  /** The member's name link in the Members table, by the address the table gives it. */
  memberLink: (p, href = '') => p.getByRole('table', { name: 'Members' }).locator(`a[href="${href.replace(/"/g, '\\"')}"]`),
  ownedDocuments: (p) => p.getByRole('region', { name: 'Owned documents' }),
  transferOwnership: (p) => p.getByRole('button', { name: 'Transfer ownership' }),
  transferDialog: (p) => dialog(p),
  newOwner: (p) => dialog(p).getByRole('combobox', { name: 'Select new owner' }),
  transferConfirm: (p) => dialog(p).getByRole('button', { name: 'Transfer', exact: true }),
  dialogCancel: (p) => dialog(p).getByRole('button', { name: 'Cancel' }),
  /** The page's result line after a hand-over, or a refusal (on the page or in the dialog). */
  outcome: (p) => p.getByRole('status').filter({ hasText: /\S/ }).or(p.getByRole('alert').filter({ hasText: /\S/ })),
} satisfies LocatorMap;
