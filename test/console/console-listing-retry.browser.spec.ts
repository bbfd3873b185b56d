import { test, expect } from '@playwright/test';
import type { FaultDecision } from '../../fixtures/common/faults.js';
import { collectReview } from '../../src/review/review-rows.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, stitchTruth } from './console-truth.js';

/**
 * Issue item 9 (console part): a review of a console app survives transient server
 * errors. The simulators' own fault injection answers chosen list calls with 5xx; the
 * console listing retries that page (by address: the tab resumes where it failed) and the
 * review ends complete, with exactly the simulator's users — none missing, none twice.
 * What the simulators answered is recorded at the simulator (its fault decisions), not
 * taken from seatctl.
 */
test.describe.configure({ mode: 'serial' });

let env: SimEnv;
/** Per app, the status the simulator gave each list call (200 = passed through). */
const answered: Record<string, number[]> = { billcom: [], stitch: [] };

const pass = { kind: 'delay', delayMs: 0 } as const;

async function enqueue(url: string, faults: object[]): Promise<void> {
  for (const f of faults) {
    const res = await fetch(`${url}/__fixture/faults/once`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(f) });
    expect(res.status).toBe(204);
  }
}

/** Records the simulator's decision for every call under `prefix` (the simulator still serves it over HTTP). */
function record(app: 'billcom' | 'stitch', prefix: string): void {
  const faults = env.fixtures[app]!.faults;
  const decide = faults.decide.bind(faults);
  faults.decide = async (method: string, path: string): Promise<FaultDecision> => {
    const decision = await decide(method, path);
    if (method === 'GET' && path.startsWith(prefix)) answered[app]!.push(decision.kind === 'respond' ? decision.status : 200);
    return decision;
  };
}

test.beforeAll(async () => {
  // 130 generated users: 6 pages of 25 in Bill.com's table, inactive users included.
  env = await startSimEnv(['stitch', 'billcom'], { users: 130 });
  record('billcom', '/api/users');
  record('stitch', '/api/team');
});

test.afterAll(async () => {
  await env?.close();
});

test('review #9: console listings with transient 5xx end complete with exact counts against ground truth', async () => {
  test.setTimeout(240_000);
  // Sign in first (an untouched list call order below): a listing's first call is then page 1.
  await collectReview(env.runtime, ['stitch', 'billcom'], true);
  answered.billcom = [];
  answered.stitch = [];

  // Bill.com's list calls in order: page 1 fails once, page 3 fails twice in a row, page 5 once.
  const b = (code: '503' | '502') => ({ kind: code, method: 'GET', pathPrefix: '/api/users' });
  await enqueue(env.fixtures.billcom!.url, [b('503'), { ...pass, method: 'GET', pathPrefix: '/api/users' }, { ...pass, method: 'GET', pathPrefix: '/api/users' }, b('503'), b('502'), { ...pass, method: 'GET', pathPrefix: '/api/users' }, { ...pass, method: 'GET', pathPrefix: '/api/users' }, b('503')]);
  // Stitch's team (one call) fails twice.
  await enqueue(env.fixtures.stitch!.url, [{ kind: '503', method: 'GET', pathPrefix: '/api/team', times: 2 }]);

  const review = await collectReview(env.runtime, ['stitch', 'billcom'], true);
  expect(review.apps.map((a) => [a.app, a.complete, a.error?.code])).toEqual([
    ['stitch', true, undefined],
    ['billcom', true, undefined],
  ]);

  // Bill.com: every user of the organization, inactive and pending included, exactly once.
  const billcom = await billcomTruth(env);
  const billcomRows = review.rows.filter((r) => r.app === 'billcom');
  expect(billcom.users.length).toBe(134);
  expect(billcomRows.map((r) => r.email).sort()).toEqual(billcom.users.map((u) => u.email).sort());
  expect(review.apps.find((a) => a.app === 'billcom')?.count).toBe(billcom.users.length);
  // The simulator answered: 6 pages, 4 of them refused first (page 3 twice).
  expect(answered.billcom).toEqual([503, 200, 200, 503, 502, 200, 200, 503, 200, 200]);

  // Stitch: the listed (active and invited) members, exactly once each.
  const stitch = await stitchTruth(env);
  const listed = stitch.users.filter((u) => u.status !== 'Deactivated').map((u) => u.email).sort();
  expect(review.rows.filter((r) => r.app === 'stitch').map((r) => r.email).sort()).toEqual(listed);
  expect(review.apps.find((a) => a.app === 'stitch')?.count).toBe(listed.length);
  expect(answered.stitch).toEqual([503, 503, 200]);

  // Each retry is in the log with the console's message, not just a code.
  const retries = env.logs.filter((l) => l.includes('"msg":"retrying '));
  expect(retries.filter((l) => l.includes('page 3 of the users table'))).toHaveLength(2);
  expect(retries.some((l) => /retrying page 1 of the users table: billcom: page 1 of the users table did not load \(HTTP 503\): Something went wrong on our end/.test(l))).toBe(true);
  expect(retries.filter((l) => l.includes('the team members table'))).toHaveLength(2);
  // Nothing was changed by a review.
  expect(billcom.mutations).toEqual([]);
  expect(stitch.mutations).toEqual([]);
});
