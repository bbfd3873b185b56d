import { test, expect } from '@playwright/test';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';

/**
 * The scheduler against real simulators injecting real faults over HTTP: retries on
 * 5xx and resets, 429 with and without Retry-After, and the exactly-once rule when
 * the app applied a change but the response never arrived. Every test judges by the
 * simulators' ground truth: the account's state after the job, every other account
 * untouched, and the exact list of mutating requests the app applied.
 */
type Account = Record<string, unknown> & { email: string };
interface Truth {
  users: Account[];
  mutations: { method: string; path: string; userId: string; body?: Record<string, unknown> }[];
}
type Sim = ApiEnv['bigid'] | ApiEnv['sigma'];

let env: ApiEnv;
test.beforeEach(async () => {
  env = await startApiEnv();
});
test.afterEach(async () => env.close());

/** The id field each simulator keys its accounts and mutation log by. */
const idOf = (u: Account): string => String(u['id'] ?? u['memberId']);
/** The fields a change may touch: `updatedAt`/`updatedBy` move with any write. */
const stable = (u: Account): Account => {
  const { updatedAt: _a, updatedBy: _b, ...rest } = u;
  return rest as Account;
};

/** What an offboarding (deactivate) does to each app, from its vendor reference: BigID disables, Sigma archives. */
const OFFBOARDED = {
  bigid: { method: 'PUT', state: { isEnabled: false } },
  sigma: { method: 'DELETE', state: { isArchived: true } },
} as const;

async function truthOf(sim: Sim): Promise<Truth> {
  return groundTruth<Truth>(sim.stateUrl);
}

/**
 * The app's ground truth after an offboarding of `email`: that account alone changed,
 * to the offboarded state and otherwise as before, by exactly one mutating request.
 */
async function expectOffboardedOnce(app: 'bigid' | 'sigma', before: Truth, email: string): Promise<void> {
  const after = await truthOf(env[app]);
  const target = before.users.find((u) => u.email === email)!;
  const { method, state } = OFFBOARDED[app];
  expect(after.mutations.map((m) => [m.method, m.path, m.userId]), `${app} mutation log`).toEqual([[method, after.mutations[0]?.path ?? '?', idOf(target)]]);
  expect(after.mutations[0]!.path).toContain(idOf(target));
  const afterTarget = after.users.find((u) => idOf(u) === idOf(target))!;
  expect(stable(afterTarget), `${app} ${email} after the job`).toEqual({ ...stable(target), ...state });
  expect(after.users.filter((u) => idOf(u) !== idOf(target)).map(stable), `${app}: other accounts untouched`).toEqual(before.users.filter((u) => idOf(u) !== idOf(target)).map(stable));
}

/** The app's ground truth is exactly as before: no request changed anything. */
async function expectUntouched(app: 'bigid' | 'sigma', before: Truth): Promise<void> {
  const after = await truthOf(env[app]);
  expect(after.mutations, `${app} mutation log`).toEqual([]);
  expect(after.users, `${app} accounts`).toEqual(before.users);
}

test('5xx bursts are retried with backoff until the call succeeds', async () => {
  const before = await truthOf(env.bigid);
  env.bigid.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/api/v1/users', times: 2 });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  await expectOffboardedOnce('bigid', before, 'jdoe@example.com');
  // Both 503s were seen and retried: the task's own evidence names each one.
  expect(job.tasks[0]!.evidence.filter((e) => e.kind === 'note' && e.text.includes('UPSTREAM_UNAVAILABLE'))).toHaveLength(2);
});

test('a connection reset before the app acted is retried', async () => {
  const before = await truthOf(env.sigma);
  env.sigma.faults.enqueue({ kind: 'reset', method: 'DELETE', pathPrefix: '/v2/members/' });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  await expectOffboardedOnce('sigma', before, 'jdoe@example.com');
});

test('a response lost after the app applied the change is not sent again (read back first)', async () => {
  const before = await truthOf(env.bigid);
  env.bigid.faults.enqueue({ kind: 'reset-after-commit', method: 'PUT', pathPrefix: '/api/v1/users/' });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('changed');
  expect(task.notes.join(' ')).toContain('confirmed by reading the account back');
  // Exactly one PUT, and jdoe keeps the Admin role the seed gave her: disabled, nothing else.
  await expectOffboardedOnce('bigid', before, 'jdoe@example.com');
  expect((await truthOf(env.bigid)).users.find((u) => u.email === 'jdoe@example.com')).toMatchObject({ isEnabled: false, role: 'Admin' });
});

test('the same holds for Sigma: DELETE applied, response lost, exactly one DELETE', async () => {
  const before = await truthOf(env.sigma);
  env.sigma.faults.enqueue({ kind: 'reset-after-commit', method: 'DELETE', pathPrefix: '/v2/members/' });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  await expectOffboardedOnce('sigma', before, 'jdoe@example.com');
});

test('429 with Retry-After: waits, spends no attempt, succeeds', async () => {
  const before = await truthOf(env.bigid);
  env.bigid.faults.enqueue({ kind: '429', pathPrefix: '/api/v1/users', retryAfterSeconds: 0.05, times: 5 });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  // Five 429s with attempts capped at 4: the change can only have landed because throttling spends none.
  expect(job.tasks[0]!.outcome).toBe('changed');
  await expectOffboardedOnce('bigid', before, 'jdoe@example.com');
  expect(env.runtime.scheduler.stats('bigid').retries).toBe(0);
});

test('429 without Retry-After (Sigma never sends one) falls back to the throttle delay', async () => {
  const before = await truthOf(env.sigma);
  env.sigma.faults.enqueue({ kind: '429', pathPrefix: '/v2/members', retryAfterSeconds: null, times: 3 });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  await expectOffboardedOnce('sigma', before, 'jdoe@example.com');
  const notes = job.tasks[0]!.evidence.filter((e) => e.kind === 'note').map((e) => (e.kind === 'note' ? e.text : ''));
  expect(notes.filter((n) => n.includes('no Retry-After'))).toHaveLength(3);
});

test('a 429 storm longer than the cap fails the task with RATE_LIMITED, no change made', async () => {
  const before = await truthOf(env.bigid);
  env.bigid.faults.enqueue({ kind: '429', pathPrefix: '/api/v1/users', retryAfterSeconds: 0, times: 50 });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('failed');
  expect(job.tasks[0]!.error?.code).toBe('RATE_LIMITED');
  await expectUntouched('bigid', before);
  expect(job.status).toBe('failed');
});

test('persistent 5xx exhausts the attempts and fails; the other app still succeeds', async () => {
  const before = { bigid: await truthOf(env.bigid), sigma: await truthOf(env.sigma) };
  env.bigid.faults.enqueue({ kind: '500', pathPrefix: '/api/v1/', times: 100 });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  const byApp = Object.fromEntries(job.tasks.map((t) => [t.app, t]));
  expect(byApp.bigid!.outcome).toBe('failed');
  expect(byApp.bigid!.error?.code).toBe('UPSTREAM_UNAVAILABLE');
  expect(byApp.sigma!.outcome).toBe('changed');
  await expectUntouched('bigid', before.bigid);
  await expectOffboardedOnce('sigma', before.sigma, 'jdoe@example.com');
});

test('random faults at a steady rate still end with every account changed exactly once', async () => {
  await env.close();
  // Enough attempts that a run of bad luck does not exhaust them: this test is about
  // exactly-once, the attempt cap is tested above.
  env = await startApiEnv({ retry: { attempts: 10 } });
  const emails = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com'];
  const before = { bigid: await truthOf(env.bigid), sigma: await truthOf(env.sigma) };
  env.bigid.faults.configure({ errorRate: 0.15, resetRate: 0.05, resetAfterCommitRate: 0.3 });
  env.sigma.faults.configure({ errorRate: 0.15, resetRate: 0.05, resetAfterCommitRate: 0.3 });
  const jobs = await Promise.all(emails.map((email) => env.run({ kind: 'offboard', email, apps: ['bigid', 'sigma'] })));
  env.bigid.faults.clear();
  env.sigma.faults.clear();
  for (const job of jobs) for (const t of job.tasks) expect.soft(t.outcome, `${t.app} ${t.subject.email}: ${t.error?.message}`).toBe('changed');
  for (const app of ['bigid', 'sigma'] as const) {
    const after = await truthOf(env[app]);
    const ids = emails.map((e) => idOf(before[app].users.find((u) => u.email === e)!));
    // One mutating request per account, of the offboarding kind, and for no one else.
    expect(after.mutations.map((m) => `${m.method} ${m.userId}`).sort(), `${app} mutation log`).toEqual(ids.map((id) => `${OFFBOARDED[app].method} ${id}`).sort());
    for (const u of before[app].users) {
      const now = after.users.find((x) => idOf(x) === idOf(u))!;
      const expected = emails.includes(u.email) ? { ...stable(u), ...OFFBOARDED[app].state } : stable(u);
      expect(stable(now), `${app} ${u.email}`).toEqual(expected);
    }
    expect(after.users).toHaveLength(before[app].users.length);
  }
});
