import { expect, test } from '@playwright/test';
import { eqFilter, scimString } from '../../src/drivers/scim/scim-filter.js';
import { startScimEnv, type ScimEnv } from '../support/scim-env.js';
import { testContext } from '../support/evidence.js';

/**
 * Hostile userNames (quotes, backslashes, an attempted filter injection) against both
 * SCIM servers. The filter value is escaped as RFC 7644 §3.4.2.2 says (a JSON string);
 * whatever the server makes of it, the driver must find exactly the right account
 * (ground truth: the server's own id) and never anyone else.
 */
const QUOTE = 'o"brien@example.com';
const BACKSLASH = 'back\\slash@example.com';
const BOTH = 'both\\"x@example.com';
const INJECTION = 'nobody" or userName pr or userName eq "x@example.com';

test('the filter value is a JSON string: quotes and backslashes escaped, nothing else touched', () => {
  expect(scimString(QUOTE)).toBe('"o\\"brien@example.com"');
  expect(eqFilter('userName', BACKSLASH)).toBe('userName eq "back\\\\slash@example.com"');
  expect(eqFilter('userName', BOTH)).toBe('userName eq "both\\\\\\"x@example.com"');
  expect(eqFilter('userName', INJECTION)).toBe('userName eq "nobody\\" or userName pr or userName eq \\"x@example.com"');
  expect(eqFilter('userName', 'zoë@example.com')).toBe('userName eq "zoë@example.com"');
});

let env: ScimEnv;
test.afterEach(async () => env?.close());

async function expectFinds(ids: Map<string, string>): Promise<void> {
  const driver = env.runtime.driver('scim');
  for (const [email, id] of ids) {
    const found = await driver.findUser(email.toUpperCase(), testContext());
    expect(found?.id, `${email} found as the server's own id`).toBe(id);
    expect(found!.email.toLowerCase()).toBe(email.toLowerCase());
  }
  // The injection matches nobody, although "userName pr" would match everyone.
  expect(await driver.findUser(INJECTION, testContext())).toBeNull();
}

test('Sigma simulator: hostile userNames are found through the escaped filter alone', async () => {
  env = await startScimEnv({ target: 'sigma', sigma: { users: 30 } });
  const ids = new Map<string, string>();
  for (const email of [QUOTE, BACKSLASH, BOTH]) ids.set(email, env.sigma!.store.createMember({ email, memberType: 'Viewer', firstName: 'H', lastName: 'Ostile' }).memberId);
  await expectFinds(ids);

  const lookups = env.sigma!.faults.requests.filter((r) => r.method === 'GET' && r.path === '/scim/v2/Users');
  const filters = lookups.map((r) => new URLSearchParams(r.query).get('filter'));
  expect(filters).toContain(`userName eq ${JSON.stringify(QUOTE.toUpperCase())}`);
  expect(filters).toContain(`userName eq ${JSON.stringify(BOTH.toUpperCase())}`);
  // The server parses escaped values correctly: the three people were found by filter
  // alone. Only the injection, found by nobody, was double-checked by reading the
  // listing (a miss on a quoted name is not trusted, whichever server answered it).
  const injection = filters.indexOf(`userName eq ${JSON.stringify(INJECTION)}`);
  expect(injection).toBeGreaterThan(-1);
  expect(filters.findIndex((f) => f === null)).toBeGreaterThan(injection);
});

test('SCIMMY peer: it cannot parse \\" and does not unescape \\\\, so the driver reads the listing and still finds exactly the right one', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 30, options: { pageSize: 10 } });
  const ids = new Map<string, string>();
  for (const email of [QUOTE, BACKSLASH, BOTH]) {
    const user = await env.peer!.insertUser({ userName: email, emails: [{ value: email, primary: true }], roles: [{ value: 'Viewer', primary: true }] });
    ids.set(email, user.id);
  }
  // A decoy whose name a sloppy unescape would confuse with the backslash one.
  await env.peer!.insertUser({ userName: 'backslash@example.com', roles: [{ value: 'Viewer', primary: true }] });
  await expectFinds(ids);

  const statuses = env.proxy!.faults.requests.filter((r) => r.path === '/scim/v2/Users').map((r) => ({ filter: new URLSearchParams(r.query).get('filter'), status: r.status }));
  // The peer answered 400 invalidFilter to the escaped quote (SCIMMY's parser), and the
  // driver fell back to reading the listing (no filter) instead of reporting "not found".
  expect(statuses).toContainEqual({ filter: `userName eq ${JSON.stringify(QUOTE.toUpperCase())}`, status: 400 });
  expect(statuses.some((s) => s.filter === null && s.status === 200)).toBe(true);
});
