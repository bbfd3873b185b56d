import { test, expect } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { openJobStore } from '../../src/store/index.js';
import { freshRequest, kill9, serveProcess, serviceCall, simulatorMutations, type ServeProcess } from '../support/serve-process.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * SIGTERM to the real `seatctl serve` process while tasks are mid-mutation: the
 * listener closes at once (new connections are refused), running jobs finish within
 * --shutdown-timeout, and what the timeout cuts short stays checkpointed in the store
 * so that the next start completes it without changing any account twice.
 */
const TOKEN = 'shutdown-test-token-0123456789';
const BIGID_PUT = { method: 'PUT', pathPrefix: '/api/v1/users/' } as const;
let dir: string;
let fx: LaunchedFixtures;
const started: ServeProcess[] = [];

test.beforeEach(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-shutdown-'));
  // A little latency on every call, so that jobs overlap as they would in production.
  fx = await launchFixtures({ dir, apps: ['bigid', 'sigma'], faults: { latencyMs: 30, jitterMs: 20 } });
});
test.afterEach(async () => {
  for (const s of started.splice(0)) await kill9(s.child);
  await fx.close();
});

const serve = async (args: string[] = []) => {
  const s = await serveProcess(fx.configPath, TOKEN, args);
  started.push(s);
  return s;
};
const api = (url: string, method: string, p: string, body?: unknown) => serviceCall(url, TOKEN, method, p, body);
const allMutations = async () => [...(await simulatorMutations(fx.apps.bigid!.stateUrl)), ...(await simulatorMutations(fx.apps.sigma!.stateUrl))];
const terminate = (s: ServeProcess) => {
  s.child.kill('SIGTERM');
  return s.exited;
};

/** Everything the service printed must be free of the token and the apps' secrets. */
function expectNoSecrets(...outputs: string[]): void {
  for (const out of outputs) for (const secret of [TOKEN, ...fx.secrets]) expect(out).not.toContain(secret);
}

async function expectEachAccountChangedOnce(expectedAccounts: number): Promise<void> {
  const perUser = new Map<string, number>();
  for (const m of await allMutations()) perUser.set(m.userId, (perUser.get(m.userId) ?? 0) + 1);
  expect(perUser.size).toBe(expectedAccounts);
  expect([...perUser.values()].every((n) => n === 1)).toBe(true);
}

async function storedJobs(ids: string[]) {
  const store = await openJobStore({ dataDir: fx.dataDir });
  try {
    return await Promise.all(ids.map(async (id) => ({ stored: (await store.get(id))!, attempts: await store.attempts(id), audit: await store.audit(id) })));
  } finally {
    await store.close();
  }
}

test('SIGTERM mid-mutation: no new jobs, running jobs finish, exit 0, each account changed once', async () => {
  // Every BigID deactivation is applied, then its response is held: a task is
  // mid-mutation (sent, not yet recorded) for that long.
  fx.bigid!.faults.enqueue({ kind: 'delay-after-commit', ...BIGID_PUT, delayMs: 1500, times: 10 });
  const first = await serve(['--shutdown-timeout', '30']);
  const requests = [
    { kind: 'offboard', email: 'jdoe@example.com' },
    { kind: 'offboard', email: 'asmith@example.com' },
    { kind: 'offboard', email: 'samlsam@example.com', apps: ['sigma'] },
  ];
  const ids: string[] = [];
  for (const body of requests) {
    const created = await api(first.url, 'POST', '/v1/jobs', body);
    expect(created.job.status).toMatch(/^(planned|running)$/);
    ids.push(created.job.id);
  }
  // The first BigID change has landed and its response is still held: signal now.
  await expect.poll(async () => (await simulatorMutations(fx.apps.bigid!.stateUrl)).length, { timeout: 15_000 }).toBeGreaterThan(0);
  first.child.kill('SIGTERM');

  // The listener closes first thing: a new client is refused, it never gets a job id.
  await first.waitForStderr(/stopped taking jobs/);
  expect(await freshRequest(first.url, TOKEN, 'POST', '/v1/jobs', { kind: 'offboard', email: 'it-admin@example.com' })).toEqual({ error: 'ECONNREFUSED' });
  expect(await freshRequest(first.url, TOKEN, 'GET', '/healthz')).toEqual({ error: 'ECONNREFUSED' });

  expect(await first.exited).toBe(0);
  expect(first.stderr()).toMatch(/service stopped gracefully/);
  expect(first.stderr()).not.toMatch(/cut short|job processing failed/);
  expectNoSecrets(first.stdout(), first.stderr());

  // Every job finished in the first process, including the one whose response was
  // held at SIGTERM: none needed the read-back recovery of a resumed task.
  for (const { stored, audit } of await storedJobs(ids)) {
    expect(stored.job.status).toBe('succeeded');
    expect(stored.job.tasks.map((t) => t.outcome).every((o) => o === 'changed')).toBe(true);
    expect(audit.map((r) => r.kind)).not.toContain('recovered');
  }
  // jdoe and asmith in both apps, samlsam in Sigma: five accounts, each changed once.
  await expectEachAccountChangedOnce(5);

  // A restart on the same data dir finds nothing to resume and changes nothing.
  const second = await serve();
  expect(second.stderr()).not.toMatch(/resuming jobs/);
  for (const id of ids) expect((await api(second.url, 'GET', `/v1/jobs/${id}`)).job.status).toBe('succeeded');
  expect(await terminate(second)).toBe(0);
  await expectEachAccountChangedOnce(5);
  expectNoSecrets(second.stdout(), second.stderr());
});

test('SIGTERM with a job longer than --shutdown-timeout: exit 1 at the timeout, the job resumes on restart, nothing twice', async () => {
  // jdoe's BigID change lands, then its response is held far longer than any test
  // runs: if the process waited for it (or lingered on it), this test would time out.
  fx.bigid!.faults.enqueue({ kind: 'delay-after-commit', ...BIGID_PUT, delayMs: 100_000 });
  const first = await serve(['--shutdown-timeout', '1']);
  const a = (await api(first.url, 'POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] })).job.id as string;
  await expect.poll(async () => (await simulatorMutations(fx.apps.bigid!.stateUrl)).length, { timeout: 15_000 }).toBe(1);
  // asmith's Sigma job is still planning (its look-up is held) when the timeout runs out.
  fx.sigma!.faults.enqueue({ kind: 'delay', method: 'GET', pathPrefix: '/v2/members', delayMs: 100_000 });
  const b = (await api(first.url, 'POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['sigma'] })).job.id as string;

  expect(await terminate(first)).toBe(1);
  expect(first.stderr()).toMatch(/shutdown timeout/);
  expect(first.stderr()).toMatch(/2 job\(s\) cut short/);
  expect(first.stderr()).not.toMatch(/service stopped gracefully|job processing failed/);
  expectNoSecrets(first.stdout(), first.stderr());

  // Checkpointed, not failed: jdoe's task is recorded as sent-but-unconfirmed
  // ("mutating" with no "mutated"), asmith's job has not changed anything yet.
  const [jobA, jobB] = await storedJobs([a, b]);
  expect(jobA!.stored.job.status).toBe('running');
  expect(jobA!.stored.job.tasks.map((t) => t.status)).toEqual(['running']);
  expect(jobA!.attempts.map((x) => x.phase)).toEqual(['mutating']);
  expect(jobB!.stored.job.status).not.toMatch(/^(succeeded|failed|cancelled)$/);
  expect(jobB!.stored.job.tasks.map((t) => t.status)).not.toContain('failed');
  expect(jobB!.attempts).toEqual([]);
  expect(await simulatorMutations(fx.apps.sigma!.stateUrl)).toEqual([]);

  const second = await serve();
  await expect.poll(async () => (await api(second.url, 'GET', `/v1/jobs/${a}`)).job.status, { timeout: 30_000 }).toBe('succeeded');
  await expect.poll(async () => (await api(second.url, 'GET', `/v1/jobs/${b}`)).job.status, { timeout: 30_000 }).toBe('succeeded');
  const resumedA = (await api(second.url, 'GET', `/v1/jobs/${a}`)).job;
  expect(resumedA.tasks[0].outcome).toBe('changed');
  // Read back on resume, found done, never sent again.
  expect(resumedA.tasks[0].notes.join(' ')).toMatch(/confirmed by reading the account back/);
  expect(second.stderr()).toMatch(/resuming jobs/);
  expect(await terminate(second)).toBe(0);
  expect((await simulatorMutations(fx.apps.bigid!.stateUrl)).filter((m) => m.method === 'PUT')).toHaveLength(1);
  await expectEachAccountChangedOnce(2);
  expectNoSecrets(second.stdout(), second.stderr());
});

test('--shutdown-timeout is validated before anything starts', async () => {
  for (const bad of ['1.5', 'soon', '3601']) {
    await expect(serveProcess(fx.configPath, TOKEN, ['--shutdown-timeout', bad])).rejects.toThrow(/serve exited 2[\s\S]*--shutdown-timeout: expected a whole number from 0 to 3600/);
  }
});
