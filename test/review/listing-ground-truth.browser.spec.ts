import { expect, test } from '@playwright/test';
import { collectReview, type ReviewRow } from '../../src/review/review-rows.js';
import { groundTruth } from '../support/api-env.js';
import { testContext } from '../support/evidence.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';

/**
 * An access review must list every user of every app, no more and no fewer, at 3,000
 * users an app: the same people (one seed for all four simulators), every status each
 * app has, SAML users and hostile names. The simulators' /__fixture/state is the
 * ground truth. Never a wall-clock assertion: this box is a loaded 2-core machine.
 */
const SEED = 17;
const USERS = 3000;
const APPS = ['bigid', 'sigma', 'stitch', 'billcom'] as const;
type App = (typeof APPS)[number];

const XSS = '<img src=x onerror=alert(1)>';
const CONTROL = 'Ctl\u0001\u0007\u001b[31mName\u007f';
const LONG = 'L'.repeat(300);
const HOSTILE = [
  { local: 'hostile.xss', first: XSS, last: 'Xss' },
  { local: 'hostile.control', first: CONTROL, last: 'Chars' },
  { local: 'hostile.long', first: LONG, last: 'Long' },
];

interface Truth {
  email: string;
  status: string;
  name: string;
}

test.describe.configure({ mode: 'serial' });

let env: SimEnv;

const post = async (url: string, body: unknown): Promise<void> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
};

const fixtureUrl = (app: App, path: string): string => `${env.fixtures.apps[app]!.url}${path}`;

/** Ground truth in seatctl's status words; what each app can list at all. */
async function truth(app: App, includeInactive: boolean): Promise<Truth[]> {
  const state = await groundTruth<{ users: Record<string, unknown>[] }>(env.fixtures.apps[app]!.stateUrl);
  const name = (u: Record<string, unknown>) => [u.firstName, u.lastName].filter(Boolean).join(' ') || String(u.name ?? '');
  let users: Truth[];
  switch (app) {
    case 'bigid':
      users = state.users.map((u) => ({ email: String(u.email), status: u.isEnabled === false ? 'inactive' : 'active', name: name(u) }));
      break;
    case 'sigma':
      users = state.users.map((u) => ({ email: String(u.email), status: u.isArchived ? 'archived' : 'active', name: name(u) }));
      break;
    case 'stitch':
      // Stitch drops deactivated members from the console: they cannot be listed.
      users = state.users
        .filter((u) => u.status !== 'Deactivated')
        .map((u) => ({ email: String(u.email), status: u.status === 'Invited' ? 'invited' : 'active', name: String(u.name ?? '') }));
      break;
    case 'billcom':
      users = state.users.map((u) => ({ email: String(u.email), status: String(u.status).toLowerCase(), name: name(u) }));
      break;
  }
  return includeInactive ? users : users.filter((u) => u.status !== 'inactive' && u.status !== 'archived');
}

const key = (u: { email: string; status: string }): string => `${u.email}|${u.status}`;

async function expectExact(rows: ReviewRow[], includeInactive: boolean, apps: readonly App[] = APPS): Promise<void> {
  for (const app of apps) {
    const expected = await truth(app, includeInactive);
    const listed = rows.filter((r) => r.app === app);
    expect(listed.length, `${app}: row count`).toBe(expected.length);
    const listedKeys = new Set(listed.map(key));
    expect(listedKeys.size, `${app}: no duplicate rows`).toBe(listed.length);
    const missing = expected.filter((u) => !listedKeys.has(key(u)));
    const expectedKeys = new Set(expected.map(key));
    const extra = listed.filter((r) => !expectedKeys.has(key(r)));
    expect({ app, missing: missing.slice(0, 5), extra: extra.slice(0, 5).map(key) }).toEqual({ app, missing: [], extra: [] });
  }
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // The same seed for all four: fixtures/common/people.ts then generates the same people.
  env = await startSimEnv([...APPS], {
    simulators: {
      bigid: { seed: SEED, users: USERS, listLatencyMs: 10 },
      sigma: { seed: SEED, users: USERS },
      stitch: { seed: SEED, users: USERS },
      billcom: { seed: SEED, users: USERS },
    },
    appConfig: { bigid: { concurrency: 4 } },
  });
  const sigma = env.fixtures.sigma!;
  for (const [i, h] of HOSTILE.entries()) {
    const email = `${h.local}@example.com`;
    await post(fixtureUrl('bigid', '/__fixture/users'), { email, firstName: h.first, lastName: h.last, role: 'Viewer', origin: i === 0 ? 'saml' : 'local' });
    sigma.store.createMember({ email, firstName: h.first, lastName: h.last, memberType: 'Viewer' });
    await post(fixtureUrl('stitch', '/__fixture/members'), { email, name: `${h.first} ${h.last}`, role: 'General User', status: 'Active' });
    await post(fixtureUrl('billcom', '/__fixture/users'), { email, firstName: h.first, lastName: h.last, role: 'Clerk', status: 'Active' });
  }
  // States the seeds do not have: SAML users in BigID (one disabled), pending users in
  // Bill.com (Dual Control), deactivated members in Stitch (which must not be listed).
  for (let i = 1; i <= 5; i++) {
    await post(fixtureUrl('bigid', '/__fixture/users'), { email: `saml.user${i}@example.com`, firstName: 'Saml', lastName: `User${i}`, role: 'Viewer', origin: 'saml', isEnabled: i !== 5 });
    await post(fixtureUrl('billcom', '/__fixture/users'), { email: `pending.user${i}@example.com`, firstName: 'Pending', lastName: `User${i}`, role: 'Clerk', status: 'Pending' });
    await post(fixtureUrl('stitch', '/__fixture/members'), { email: `gone.member${i}@example.com`, name: `Gone Member${i}`, status: 'Deactivated' });
  }

  // The states the test is about are really there.
  const bigid = (await groundTruth<{ users: { isEnabled: boolean; origin: string }[] }>(env.fixtures.apps.bigid!.stateUrl)).users;
  expect(bigid.filter((u) => u.origin === 'saml').length).toBeGreaterThanOrEqual(6);
  expect(bigid.filter((u) => !u.isEnabled).length).toBeGreaterThan(100);
  expect((await truth('sigma', true)).filter((u) => u.status === 'archived').length).toBeGreaterThan(50);
  expect((await truth('stitch', true)).filter((u) => u.status === 'invited').length).toBeGreaterThan(100);
  const stitchAll = (await groundTruth<{ users: { status: string }[] }>(env.fixtures.apps.stitch!.stateUrl)).users;
  expect(stitchAll.filter((u) => u.status === 'Deactivated').length).toBe(5);
  const billcom = await truth('billcom', true);
  expect(billcom.filter((u) => u.status === 'inactive').length).toBeGreaterThan(100);
  expect(billcom.filter((u) => u.status === 'pending').length).toBe(5);
  for (const app of APPS) expect((await truth(app, true)).length).toBeGreaterThan(USERS);
});

test.afterAll(async () => {
  await env?.close();
});

test('with inactive users: every app lists exactly its ground truth, hostile names as text', async () => {
  test.setTimeout(180_000);
  const totals = new Map<string, number | null>();
  const finals = new Map<string, [number, number | null]>();
  const review = await collectReview(env.runtime, [...APPS], true, {
    onProgress: (app, read, total) => {
      if (!totals.has(app) && total !== null) totals.set(app, total);
      finals.set(app, [read, total]);
    },
  });
  expect(review.apps.map((a) => [a.app, a.complete, a.error?.message])).toEqual(APPS.map((a) => [a, true, undefined]));
  await expectExact(review.rows, true);
  for (const app of APPS) {
    const count = (await truth(app, true)).length;
    expect(review.apps.find((a) => a.app === app)?.count).toBe(count);
    // Every app here tells its total before the listing ends (Stitch: after its one read).
    expect(totals.get(app), `${app}: onTotal`).toBe(count);
    expect(finals.get(app)).toEqual([count, count]);

    const rows = review.rows.filter((r) => r.app === app);
    for (const h of HOSTILE) {
      const row = rows.find((r) => r.email === `${h.local}@example.com`);
      expect(row, `${app}: ${h.local} listed`).toBeTruthy();
      if (h.first === LONG) expect(row!.name).toContain(LONG);
      if (h.first === XSS) expect(row!.name).toContain(XSS);
      // Control characters may be dropped by a console's text rendering, never the row.
      if (h.first === CONTROL) expect(row!.name).toMatch(/Ctl.*Name/s);
    }
  }
  const bigidRows = review.rows.filter((r) => r.app === 'bigid');
  expect(bigidRows.filter((r) => r.origin === 'saml').length).toBeGreaterThanOrEqual(6);
  expect(review.rows.filter((r) => r.app === 'stitch' && r.email.startsWith('gone.member'))).toEqual([]);
});

test('without inactive users: every app lists exactly its active, invited and pending users', async () => {
  test.setTimeout(180_000);
  const review = await collectReview(env.runtime, [...APPS], false);
  expect(review.apps.every((a) => a.complete)).toBe(true);
  await expectExact(review.rows, false);
  for (const app of APPS) expect(review.apps.find((a) => a.app === app)?.count).toBe((await truth(app, false)).length);
  expect(review.rows.some((r) => r.status === 'inactive' || r.status === 'archived')).toBe(false);
  expect(review.rows.filter((r) => r.app === 'billcom' && r.status === 'pending').length).toBe(5);
});

test('BigID reads pages in parallel up to the concurrency, and one at a time at concurrency 1', async () => {
  test.setTimeout(180_000);
  const listing = fixtureUrl('bigid', '/__fixture/listing');
  const probe = async () => (await groundTruth<{ listing: { maxInFlight: number; requests: number } }>(env.fixtures.apps.bigid!.stateUrl)).listing;
  // The simulator serves at most 40 a page (silently): the driver asks for 50 once,
  // then reads on in steps of the 40 it was given.
  const pages = Math.ceil((await truth('bigid', true)).length / 40);

  await post(listing, { reset: true });
  const review = await collectReview(env.runtime, ['bigid'], true);
  expect(review.apps[0]?.complete).toBe(true);
  let seen = await probe();
  expect(seen.requests).toBe(pages);
  expect(seen.maxInFlight).toBeGreaterThan(1);
  expect(seen.maxInFlight).toBeLessThanOrEqual(4);

  await post(listing, { reset: true });
  let count = 0;
  let total: number | null = null;
  for await (const page of env.runtime.driver('bigid').listUsers(testContext(), { includeInactive: true, concurrency: 1, onTotal: (n) => (total = n) })) count += page.length;
  seen = await probe();
  expect(count).toBe((await truth('bigid', true)).length);
  expect(total).toBe(count);
  expect(seen.requests).toBe(pages);
  expect(seen.maxInFlight).toBe(1);
});

test('an app failing mid-listing is incomplete with what it read; the others stay complete', async () => {
  test.setTimeout(180_000);
  // BigID: the page at skip=400 (page 11 of 40) keeps failing, more often than the
  // retry policy tries; with 4 pages in flight the ones behind it are dropped, so
  // exactly the first 400 users count.
  await post(fixtureUrl('bigid', '/__fixture/listing'), { failSkip: 400, failStatus: 503, failTimes: 100 });
  // Bill.com: the first /api/users call (page 1) passes, then page 2 fails on every one of
  // its 4 attempts (the console listing retries each page with the app's retry policy).
  const billcom = env.fixtures.billcom!;
  billcom.faults.enqueue({ kind: 'delay', delayMs: 0, method: 'GET', pathPrefix: '/api/users', times: 1 });
  billcom.faults.enqueue({ kind: '500', method: 'GET', pathPrefix: '/api/users', times: 4 });
  let review = await collectReview(env.runtime, [...APPS], true);
  const byApp = (app: string) => review.apps.find((a) => a.app === app)!;
  expect(byApp('bigid')).toMatchObject({ complete: false, count: 400, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  expect(byApp('billcom')).toMatchObject({ complete: false, count: 25, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  expect(byApp('billcom').error?.message).toContain('page 2');
  for (const app of ['sigma', 'stitch'] as const) expect(byApp(app)).toMatchObject({ complete: true, count: (await truth(app, true)).length });
  await expectExact(review.rows, true, ['sigma', 'stitch']);
  expect(review.rows.filter((r) => r.app === 'bigid').length).toBe(400);
  expect(review.rows.filter((r) => r.app === 'billcom').length).toBe(25);
  await post(fixtureUrl('bigid', '/__fixture/listing'), { reset: true });

  // Sigma: the first cursor page passes, the second keeps failing.
  const sigma = env.fixtures.sigma!;
  sigma.faults.enqueue({ kind: 'delay', delayMs: 0, method: 'GET', pathPrefix: '/v2/members', times: 1 });
  sigma.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/v2/members', times: 100 });
  review = await collectReview(env.runtime, ['bigid', 'sigma', 'stitch'], true);
  expect(byApp('sigma')).toMatchObject({ complete: false, count: 1000, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  for (const app of ['bigid', 'stitch'] as const) expect(byApp(app)).toMatchObject({ complete: true, count: (await truth(app, true)).length });
  await expectExact(review.rows, true, ['bigid', 'stitch']);
  sigma.faults.clear();

  // A transient failure is not a failure: one 503 on a page of each API app is retried
  // on that page, and both end complete with exact counts.
  await post(fixtureUrl('bigid', '/__fixture/listing'), { failSkip: 400, failStatus: 503 });
  sigma.faults.enqueue({ kind: 'delay', delayMs: 0, method: 'GET', pathPrefix: '/v2/members', times: 1 });
  sigma.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/v2/members' });
  review = await collectReview(env.runtime, ['bigid', 'sigma'], true);
  for (const app of ['bigid', 'sigma'] as const) expect(byApp(app)).toEqual({ app, complete: true, count: (await truth(app, true)).length });
  await expectExact(review.rows, true, ['bigid', 'sigma']);
});

test('Bill.com: a failure in the range the second tab reads fails the listing at that page', async () => {
  test.setTimeout(180_000);
  const total = (await truth('billcom', true)).length;
  const pages = Math.ceil(total / 25);
  // Two tabs (the console default concurrency): the second starts at page `second`.
  const second = Math.ceil(pages / 2) + 1;
  const billcom = env.fixtures.billcom!;
  // The first tab's page load passes, the second tab's fails on all 4 attempts.
  billcom.faults.enqueue({ kind: 'delay', delayMs: 0, method: 'GET', pathPrefix: '/settings/users', times: 1 });
  billcom.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/settings/users', times: 4 });
  const review = await collectReview(env.runtime, ['billcom'], true);
  expect(review.apps[0]).toMatchObject({ app: 'billcom', complete: false, count: (second - 1) * 25, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  expect(review.apps[0]?.error?.message).toContain(`page ${second}`);
  // And the next listing is whole again.
  const again = await collectReview(env.runtime, ['billcom'], true);
  expect(again.apps[0]).toMatchObject({ complete: true, count: total });
  await expectExact(again.rows, true, ['billcom']);
});
