import { expect, test } from '@playwright/test';
import { collectReview } from '../../src/review/review-rows.js';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';

/**
 * At review volume a few 429s and 503s are normal. Each page is retried where it
 * failed (same offset, same cursor), so the review ends complete with exactly the
 * ground truth: nobody skipped, nobody twice, no listing restarted.
 */
let env: ApiEnv;
test.afterEach(async () => env?.close());

const USERS = 3000;

test('transient errors #D: 10 % 429/503 without Retry-After, both API apps complete with exact id sets', async () => {
  test.setTimeout(300_000);
  // 5 % 429 (no Retry-After: neither vendor documents one) + 5 % 503, on every route,
  // sign-in included.
  const faults = { rate429: 0.05, errorRate: 0.05, retryAfterSeconds: null };
  // Sigma at 100 a page (31 cursor pages) so its listing meets faults of both kinds.
  env = await startApiEnv({ bigid: { users: USERS, faults }, sigma: { users: USERS, faults }, sigmaOptions: { pageSize: 100 }, retry: { attempts: 6, maxThrottleWaits: 20 } });

  const review = await collectReview(env.runtime, ['bigid', 'sigma'], true);

  const bigidTruth = (await groundTruth<{ users: { id: string }[] }>(env.bigid.stateUrl)).users.map((u) => u.id);
  const sigmaTruth = (await groundTruth<{ users: { memberId: string }[] }>(env.sigma.stateUrl)).users.map((u) => u.memberId);
  expect(bigidTruth.length).toBe(USERS + 4);
  expect(sigmaTruth.length).toBe(USERS + 4);
  expect(review.apps.find((a) => a.app === 'bigid')).toEqual({ app: 'bigid', complete: true, count: bigidTruth.length });
  expect(review.apps.find((a) => a.app === 'sigma')).toEqual({ app: 'sigma', complete: true, count: sigmaTruth.length });
  const ids = (app: string) => review.rows.filter((r) => r.app === app).map((r) => r.id);
  // Exact sets, and no id twice (a repeated page would duplicate rows).
  expect([...ids('bigid')].sort()).toEqual([...bigidTruth].sort());
  expect([...ids('sigma')].sort()).toEqual([...sigmaTruth].sort());

  // The faults really happened, on the listing itself...
  const listing = (sim: ApiEnv['bigid'] | ApiEnv['sigma'], path: string) => sim.faults.requests.filter((r) => r.method === 'GET' && r.path === path);
  const bigidList = listing(env.bigid, '/api/v1/users');
  const sigmaList = listing(env.sigma, '/v2/members');
  for (const list of [bigidList, sigmaList]) {
    expect(list.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(list.filter((r) => r.status === 503).length).toBeGreaterThan(0);
  }
  // ...and each page was served exactly once: retried where it failed, never restarted.
  // BigID serves 40 a page by default (the simulator's cap), Sigma 100 as configured.
  const served = (list: typeof bigidList) => list.filter((r) => r.status === 200);
  expect(served(bigidList)).toHaveLength(Math.ceil(bigidTruth.length / 40));
  expect(new Set(served(bigidList).map((r) => new URLSearchParams(r.query).get('skip'))).size).toBe(Math.ceil(bigidTruth.length / 40));
  expect(served(sigmaList)).toHaveLength(Math.ceil(sigmaTruth.length / 100));
});

const failPage = (skip: number, times: number) =>
  fetch(`${env.bigid.url}/__fixture/listing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failSkip: skip, failStatus: 503, failTimes: times }) });

test('transient errors #D: a page failing twice is read on the third try, once, and nothing else is re-read', async () => {
  env = await startApiEnv({ bigid: { users: 196 }, retry: { attempts: 4 } });
  await failPage(80, 2);
  const review = await collectReview(env.runtime, ['bigid'], true);
  expect(review.apps[0]).toEqual({ app: 'bigid', complete: true, count: 200 });
  const truth = (await groundTruth<{ users: { id: string }[] }>(env.bigid.stateUrl)).users.map((u) => u.id);
  expect(review.rows.map((r) => r.id)).toEqual(truth);
  // Statuses per offset (pages run in parallel, so only the order within one offset is fixed).
  const bySkip: Record<string, (number | null)[]> = {};
  for (const r of env.bigid.faults.requests.filter((q) => q.path === '/api/v1/users')) (bySkip[new URLSearchParams(r.query).get('skip')!] ??= []).push(r.status);
  expect(bySkip).toEqual({ '0': [200], '40': [200], '80': [503, 503, 200], '120': [200], '160': [200] });
});

test('transient errors #D: a page that keeps failing makes the app incomplete, with the pages before it', async () => {
  env = await startApiEnv({ bigid: { users: 196 }, retry: { attempts: 3 } });
  await failPage(80, 100);
  const review = await collectReview(env.runtime, ['bigid'], true);
  expect(review.apps[0]).toMatchObject({ app: 'bigid', complete: false, count: 80, error: { code: 'UPSTREAM_UNAVAILABLE' } });
  const truth = (await groundTruth<{ users: { id: string }[] }>(env.bigid.stateUrl)).users.map((u) => u.id);
  expect(review.rows.map((r) => r.id)).toEqual(truth.slice(0, 80));
  // Exactly the policy's three attempts at the failing page.
  expect(env.bigid.faults.requests.filter((r) => r.path === '/api/v1/users' && new URLSearchParams(r.query).get('skip') === '80').map((r) => r.status)).toEqual([503, 503, 503]);
});
