import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright';
import { LAUNCH_ARGS, resolveChromium } from '../../src/browser/resolve-chromium.js';
import { readTable } from '../../src/console/helpers/table.js';
import { isPlaywrightTimeout, locatorTimeoutError, timedOutLocator } from '../../src/console/locator-timeout.js';
import { makeFlowContext, urlUnderBase } from '../../src/console/make-flow-context.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';

/**
 * The flow context and the table reader against small pages served on loopback (port 0)
 * and rendered in real Chromium: a console below a base path (issue item 17) and tables
 * whose header row holds `<td>` cells, like WordPress's users list (item 12).
 */
test.describe.configure({ mode: 'serial' });

let browser: Browser;
let server: Server;
let origin: string;
const served: string[] = [];

/** WordPress's users list markup (wp-admin/includes/class-wp-users-list-table.php, single_row; class-wp-list-table.php, print_column_headers). */
function wordpressUsers(): string {
  const people = [
    { id: 1, login: 'admin', name: 'Site Admin', email: 'admin@example.com', role: 'Administrator', posts: 12 },
    { id: 2, login: 'jdoe', name: 'John Doe', email: 'jdoe@example.com', role: 'Editor', posts: 0 },
    { id: 3, login: 'asmith', name: 'Alice Smith', email: 'asmith@example.com', role: 'Subscriber', posts: 3 },
  ];
  const head = `<tr><td id="cb" class="manage-column column-cb check-column"><label class="screen-reader-text" for="cb-select-all-1">Select All</label><input id="cb-select-all-1" type="checkbox" /></td><th scope="col" id="username" class="manage-column column-username column-primary sortable desc"><a href="users.php?orderby=login&amp;order=asc"><span>Username</span><span class="sorting-indicator"></span></a></th><th scope="col" id="name" class="manage-column column-name">Name</th><th scope="col" id="email" class="manage-column column-email sortable desc"><a href="users.php?orderby=email&amp;order=asc"><span>Email</span><span class="sorting-indicator"></span></a></th><th scope="col" id="role" class="manage-column column-role">Role</th><th scope="col" id="posts" class="manage-column column-posts num">Posts</th></tr>`;
  const rows = people
    .map(
      (p) =>
        `<tr id="user-${p.id}"><th scope="row" class="check-column"><label class="screen-reader-text" for="user_${p.id}">Select ${p.login}</label><input type="checkbox" name="users[]" id="user_${p.id}" value="${p.id}" /></th>` +
        `<td class="username column-username has-row-actions column-primary" data-colname="Username"><img alt="" src="data:," width="32" height="32"> <strong><a href="user-edit.php?user_id=${p.id}">${p.login}</a></strong><br /><div class="row-actions"><span class="edit"><a href="user-edit.php?user_id=${p.id}">Edit</a> | </span><span class="delete"><a class="submitdelete" href="users.php?action=delete&amp;user=${p.id}">Delete</a></span></div><button type="button" class="toggle-row"><span class="screen-reader-text">Show more details</span></button></td>` +
        `<td class="name column-name" data-colname="Name">${p.name}</td><td class="email column-email" data-colname="Email"><a href="mailto:${p.email}">${p.email}</a></td>` +
        `<td class="role column-role" data-colname="Role">${p.role}</td><td class="posts column-posts num" data-colname="Posts">${p.posts}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><title>Users ‹ Blog — WordPress</title></head><body><h1 class="wp-heading-inline">Users</h1>
<table class="wp-list-table widefat fixed striped table-view-list users"><caption class="screen-reader-text">Table ordered by Username.</caption>
<thead>${head}</thead><tbody id="the-list" data-wp-lists="list:user">${rows}</tbody><tfoot>${head.replace(/ id="[a-z]+"/g, '')}</tfoot></table></body></html>`;
}

test.beforeAll(async () => {
  browser = await chromium.launch({ executablePath: resolveChromium({ configured: process.env.SEATCTL_TEST_CHROMIUM }).path, args: LAUNCH_ARGS });
  // A WordPress below /blog: only paths under the base path exist.
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url?.startsWith('/blog/wp-admin/users.php')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(wordpressUsers());
      return;
    }
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<h1>Not found</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

function contextFor(page: Page, baseUrl: string) {
  const redactor = createRedactor();
  return makeFlowContext({
    page,
    app: 'blog',
    baseUrl,
    credentials: {},
    options: {},
    dryRun: false,
    log: createLogger({ redactor, destination: { write: () => undefined } }),
    secret: () => '',
    locators: { heading: (p) => p.getByRole('heading', { name: 'Users' }) },
    sink: { scratchDir: '', items: [], add() {}, note() {}, saveFile: async () => ({ kind: 'screenshot', at: '', path: '', sha256: '', caption: '' }) },
    screenshots: false,
    locatorTimeoutMs: 5000,
    isLoginUrl: () => false,
    detectSignIn: false,
    relogin: async () => undefined,
    masks: [],
    notes: [],
    label: 'test',
  });
}

test('consoles #17: ctx.goto keeps the base URL path (https://host/blog + /wp-admin/users.php)', async () => {
  const page = await browser.newPage();
  try {
    for (const base of [`${origin}/blog`, `${origin}/blog/`]) {
      const ctx = contextFor(page, base);
      expect(ctx.url('/wp-admin/users.php')).toBe(`${origin}/blog/wp-admin/users.php`);
      served.length = 0;
      await ctx.goto('/wp-admin/users.php?orderby=login');
      // What the server was asked for and what Chromium shows: the page under /blog.
      expect(served[0]).toBe('/blog/wp-admin/users.php?orderby=login');
      expect(page.url()).toBe(`${origin}/blog/wp-admin/users.php?orderby=login`);
      await expect(await ctx.find('heading')).toBeVisible();
    }
  } finally {
    await page.close();
  }
  // Relative paths, root bases and full URLs resolve as before.
  expect(urlUnderBase('https://app.bill.com', '/settings/users?page=2')).toBe('https://app.bill.com/settings/users?page=2');
  expect(urlUnderBase('https://host/a/b', 'c')).toBe('https://host/a/b/c');
  expect(urlUnderBase('https://host/blog', 'https://other/x')).toBe('https://other/x');
});

test('consoles #12: readTable aligns a WordPress users table whose header row starts with a <td> select-all cell', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/blog/wp-admin/users.php`);
    const rows = await readTable(page.locator('table.wp-list-table'));
    expect(rows).toHaveLength(3);
    expect(Object.keys(rows[0]!.cells)).toEqual(['Select All', 'Username', 'Name', 'Email', 'Role', 'Posts']);
    expect(rows.map((r) => [r.cells.Name, r.cells.Email, r.cells.Role, r.cells.Posts])).toEqual([
      ['Site Admin', 'admin@example.com', 'Administrator', '12'],
      ['John Doe', 'jdoe@example.com', 'Editor', '0'],
      ['Alice Smith', 'asmith@example.com', 'Subscriber', '3'],
    ]);
    // The cell's whole text (textContent: row actions included); the login is its link's text.
    expect(rows[1]!.cells.Username).toBe('jdoeEdit | DeleteShow more details');
    expect(rows[1]!.links).toEqual({ Username: 'user-edit.php?user_id=2', Email: 'mailto:jdoe@example.com' });
    expect(rows[1]!.cells['Select All']).toBe('Select jdoe');
  } finally {
    await page.close();
  }
});

test('consoles #12: readTable keys by th and td header cells alike, counts colspans, and keys empty headers by column', async () => {
  const page = await browser.newPage();
  try {
    await page.setContent(`<table aria-label="people">
<thead><tr><th colspan="2">Group</th></tr><tr><td><input type="checkbox"></td><td>Name</td><th>Email</th><td></td></tr></thead>
<tbody><tr><td><input type="checkbox"></td><td>Ann</td><td>ann@example.com</td><td><button>Edit</button></td></tr>
<tr><td colspan="2">Bob (merged)</td><td>bob@example.com</td><td>x</td></tr></tbody></table>
<table aria-label="no thead"><tr><th>Email</th><th>Role</th></tr><tr><td>c@example.com</td><td><select><option>Admin</option><option selected>Member</option></select></td></tr></table>`);
    const rows = await readTable(page.getByRole('table', { name: 'people' }));
    expect(rows.map((r) => r.cells)).toEqual([
      { '0': '', Name: 'Ann', Email: 'ann@example.com', '3': 'Edit' },
      { '0': 'Bob (merged)', Email: 'bob@example.com', '3': 'x' },
    ]);
    expect((await readTable(page.getByRole('table', { name: 'no thead' }))).map((r) => r.cells)).toEqual([{ Email: 'c@example.com', Role: 'Member' }]);
  } finally {
    await page.close();
  }
});

test('errors #13: a plain waitFor that times out is named after its locator map entry, with the console message', async () => {
  const page = await browser.newPage();
  const locators = {
    usersTable: (p: Page) => p.getByRole('table', { name: 'Users' }),
    loginError: (p: Page) => p.getByRole('alert'),
    signedIn: (p: Page) => p.getByRole('button', { name: 'Sign out' }),
  };
  const timeoutOf = (wait: Promise<unknown>) => wait.then(() => null, (e: unknown) => e as Error);
  try {
    await page.setContent('<h1>Users</h1><p role="alert">Something went wrong on our end. Please try again.</p>');
    const err = await timeoutOf(locators.usersTable(page).waitFor({ timeout: 300 }));
    expect(isPlaywrightTimeout(err)).toBe(true);
    const named = timedOutLocator(err as never, page, locators, new Map());
    expect(named).toEqual({ locator: 'usersTable', action: 'locator.waitFor' });
    const facts = { app: 'acme', locator: named!.locator, timeoutMs: 300, action: named!.action };
    expect((await locatorTimeoutError(page, facts, undefined)).toJSON()).toMatchObject({
      code: 'LOCATOR_NOT_FOUND',
      retryClass: 'permanent',
      message: 'acme: locator "usersTable" did not appear within 300 ms — has the console changed?; the console says: "Something went wrong on our end. Please try again."',
      details: { locator: 'usersTable', message: 'Something went wrong on our end. Please try again.' },
    });
    // The console's own words for a failure on its side make it retryable.
    expect(await locatorTimeoutError(page, facts, /went wrong on our end/)).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryClass: 'retryable' });

    // An .or() names every entry it combines; a locator outside the map keeps Playwright's description.
    const either = await timeoutOf(locators.signedIn(page).or(locators.usersTable(page)).first().waitFor({ timeout: 300 }));
    expect(timedOutLocator(either as never, page, locators, new Map())?.locator).toBe('usersTable or signedIn');
    const raw = await timeoutOf(page.getByText(/^Page 2 of \d+$/).waitFor({ timeout: 300 }));
    expect(timedOutLocator(raw as never, page, locators, new Map())?.locator).toBe('getByText(/^Page 2 of \\d+$/)');

    // A page still loading is a slow console: TIMEOUT, retryable, the locator still named.
    await page.setContent('<div role="progressbar" aria-label="Loading">Loading…</div>');
    expect(await locatorTimeoutError(page, facts, undefined)).toMatchObject({ code: 'TIMEOUT', retryClass: 'retryable', details: { locator: 'usersTable', loading: true } });
  } finally {
    await page.close();
  }
});
