import { test, expect } from '@playwright/test';
import type { FaultDecision } from '../../fixtures/common/faults.js';
import { collectReview } from '../../src/review/review-rows.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth } from './console-truth.js';

/**
 * The Bill.com listing reads each page and clicks Next for the following one in a single
 * page evaluation, which first waits in the page for "Page n of N". These are its
 * failure paths, against the simulator's own record of what happened:
 * - the session ends mid-listing: the page's users call answers 401, the listing signs in
 *   again once and reads on from that page by address, every user once;
 * - page n is never drawn (the list shrank under the listing, so the console clamps to
 *   its last page): the in-page wait gives up and the locator wait for "Page n of N"
 *   decides, with the same typed error (TIMEOUT, retried) it always gave.
 */
test.describe.configure({ mode: 'serial' });

let env: SimEnv | undefined;

test.afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** Runs `act` when the simulator decides on the `nth` GET under /api/users (1 first), before it answers that call. */
function onUsersCall(e: SimEnv, nth: number, act: () => Promise<void>): { calls: () => number } {
  const faults = e.fixtures.billcom!.faults;
  const decide = faults.decide.bind(faults);
  let calls = 0;
  faults.decide = async (method: string, path: string): Promise<FaultDecision> => {
    if (method === 'GET' && path.startsWith('/api/users') && !path.startsWith('/api/users/')) {
      calls += 1;
      if (calls === nth) await act();
    }
    return decide(method, path);
  };
  return { calls: () => calls };
}

const post = async (url: string, body?: object): Promise<void> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  expect(res.ok).toBe(true);
};

test('Bill.com: the session ends mid-listing → one more sign-in, the listing reads on from that page, every user once', async () => {
  test.setTimeout(120_000);
  // 130 generated users: 6 pages with inactive users included, one tab.
  env = await startSimEnv(['billcom'], { users: 130 });
  const sim = env.fixtures.billcom!;
  await collectReview(env.runtime, ['billcom'], true); // signed in
  const before = await billcomTruth(env);

  // Every session ends just before the simulator answers the listing's 3rd users call (page 3).
  const seen = onUsersCall(env, 3, () => post(`${sim.url}/__fixture/expire-sessions`));
  const review = await collectReview(env.runtime, ['billcom'], true);

  expect(review.apps[0]).toMatchObject({ app: 'billcom', complete: true });
  const after = await billcomTruth(env);
  expect(after.users.length).toBe(134);
  expect(review.rows.map((r) => r.email).sort()).toEqual(after.users.map((u) => u.email).sort());
  expect(review.apps[0]!.count).toBe(after.users.length);
  // One sign-in more at the simulator; pages 1–6 plus page 3 again.
  expect(after.logins).toBe(before.logins + 1);
  expect(seen.calls()).toBe(7);
  expect(after.mutations).toEqual([]);
});

test('Bill.com: page n never drawn (the list shrank to fewer pages) → TIMEOUT naming the page, retried, the listing incomplete', async () => {
  test.setTimeout(120_000);
  env = await startSimEnv(['billcom'], {
    users: 130,
    // A short locator timeout and two attempts: the failure comes in seconds.
    appConfig: { billcom: { options: { locatorTimeoutMs: 3_000 } } },
    config: { retry: { attempts: 2, baseDelayMs: 20, maxDelayMs: 200, throttleDelayMs: 50, maxThrottleWaits: 10 } },
  });
  const sim = env.fixtures.billcom!;
  await collectReview(env.runtime, ['billcom'], false); // signed in
  const active = (await billcomTruth(env)).users.filter((u) => u.status !== 'Inactive');
  expect(active.length).toBeGreaterThan(75); // at least 4 pages of active users

  // Before the simulator answers page 3, another admin deactivates all but 40 active users:
  // page 3 no longer exists, and the console shows its last page (page 2) instead.
  const seen = onUsersCall(env, 3, async () => {
    for (const u of active.slice(40)) await post(`${sim.url}/__fixture/users`, { email: u.email, status: 'Inactive' });
  });
  const started = Date.now();
  const review = await collectReview(env.runtime, ['billcom'], false);
  const took = Date.now() - started;

  expect(review.apps[0]).toMatchObject({ app: 'billcom', complete: false, count: 50, error: { code: 'TIMEOUT' } });
  expect(review.apps[0]!.error?.message).toContain('page 3 of the users table');
  // The simulator: 40 active users now (2 pages), and page 3 was asked for twice (two attempts).
  const after = await billcomTruth(env);
  expect(after.users.filter((u) => u.status !== 'Inactive').length).toBe(40);
  expect(seen.calls()).toBe(4);
  // Each attempt waited in the page, then for the locator timeout: not less.
  expect(took).toBeGreaterThanOrEqual(2 * 3_000);
  const retries = env.logs.filter((l) => l.includes('"msg":"retrying page 3 of the users table'));
  expect(retries).toHaveLength(1);
  expect(retries[0]).toContain('"code":"TIMEOUT"');
});
