import type { LocatorMap } from '../../src/console/flow-context.js';

/**
 * Every Bill.com control the flows touch, by accessible role and name. When Bill.com
 * redesigns a page, this is the one file to change; `seatctl doctor` names the entry
 * that stopped matching.
 */
export const billcomLocators = {
  loginEmail: (p) => p.getByRole('textbox', { name: 'Email' }),
  loginPassword: (p) => p.getByLabel('Password'),
  signIn: (p) => p.getByRole('button', { name: 'Sign in' }),
  loginError: (p) => p.getByRole('alert'),
  mfaHeading: (p) => p.getByRole('heading', { name: 'Enter the 6-digit code' }),
  useAuthenticator: (p) => p.getByRole('button', { name: 'Use authenticator app instead' }),
  authenticatorMode: (p) => p.getByRole('button', { name: 'Text me a code instead' }),
  mfaCode: (p) => p.getByRole('textbox', { name: 'Verification code' }),
  trustDevice: (p) => p.getByRole('checkbox', { name: 'Trust this device for 30 days' }),
  verify: (p) => p.getByRole('button', { name: 'Verify' }),
  orgHeading: (p) => p.getByRole('heading', { name: 'Choose an organization' }),
  orgButton: (p, name = '') => p.getByRole('button', { name, exact: true }),
  signedIn: (p) => p.getByRole('button', { name: 'Sign out' }),

  usersHeading: (p) => p.getByRole('heading', { name: 'Users', exact: true }),
  addUserButton: (p) => p.getByRole('button', { name: 'Add user' }),
  // pageIndicator, usersTable and nextPage are also looked up inside the listing's page
  // evaluation (stepInPage in users.ts), by the same names: change both together.
  usersTable: (p) => p.getByRole('table', { name: 'Users' }),
  usersLoaded: (p) => p.getByText(/^Showing \d+.\d+ of \d+ users$|^No users found\.$/),
  pageIndicator: (p) => p.getByText(/^Page \d+ of \d+$/),
  nextPage: (p) => p.getByRole('navigation', { name: 'Pagination' }).getByRole('button', { name: 'Next' }),
  /** What the users page shows instead of the table when a page fails to load. */
  usersError: (p) => p.getByRole('alert'),

  firstName: (p) => p.getByRole('textbox', { name: 'First name' }),
  lastName: (p) => p.getByRole('textbox', { name: 'Last name' }),
  email: (p) => p.getByRole('textbox', { name: 'Email' }),
  timeZone: (p) => p.getByRole('combobox', { name: 'Time zone' }),
  role: (p) => p.getByRole('combobox', { name: 'Role' }),
  save: (p) => p.getByRole('button', { name: 'Save', exact: true }),
  cancel: (p) => p.getByRole('button', { name: 'Cancel' }),

  userHeading: (p, name = '') => p.getByRole('heading', { name, exact: true }),
  editRole: (p) => p.getByRole('button', { name: 'Edit role' }),
  saveRole: (p) => p.getByRole('button', { name: 'Save role' }),
  deactivateButton: (p) => p.getByRole('button', { name: 'Deactivate user' }),
  reactivateButton: (p) => p.getByRole('button', { name: 'Reactivate user' }),
  confirmDialog: (p, name = '') => p.getByRole('dialog', { name: `Deactivate ${name}?` }),
  dialogConfirm: (p, name = '') => p.getByRole('dialog', { name: `Deactivate ${name}?` }).getByRole('button', { name: 'Deactivate' }),
  dialogCancel: (p, name = '') => p.getByRole('dialog', { name: `Deactivate ${name}?` }).getByRole('button', { name: 'Cancel' }),
  /** Either the success message or a refusal: whichever the console shows. */
  outcome: (p) => p.getByRole('status').filter({ hasText: /was added|stays Pending|was deactivated|was reactivated|Role changed to/ }).or(p.getByRole('alert')),
  todoBanner: (p) => p.getByText(/A To-Do was created/),
} satisfies LocatorMap;

export const billcomPopups = [
  {
    locator: (p: import('playwright').Page) => p.getByRole('dialog', { name: "What's new in BILL" }),
    dismiss: (p: import('playwright').Page) => p.getByRole('dialog', { name: "What's new in BILL" }).getByRole('button', { name: 'Close' }).click(),
  },
  {
    locator: (p: import('playwright').Page) => p.getByRole('region', { name: 'Cookie consent' }),
    dismiss: (p: import('playwright').Page) => p.getByRole('region', { name: 'Cookie consent' }).getByRole('button', { name: 'Accept all' }).click(),
  },
];
