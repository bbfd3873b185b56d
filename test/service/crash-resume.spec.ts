import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { CLI_BIN } from '../support/cli-run.js';
import { kill9, serveProcess, serviceCall, simulatorMutations } from '../support/serve-process.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * kill -9 of the real service process at the dangerous moments, then a restart on the
 * same data dir: every job reaches a terminal state and the simulators' mutation logs
 * show each account changed exactly once.
 */
const TOKEN = 'crash-test-token-0123456789';
let dir: string;
let fx: LaunchedFixtures;

test.beforeEach(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-crash-'));
  fx = await launchFixtures({ dir, apps: ['bigid', 'sigma'] });
});
test.afterEach(async () => {
  await fx.close();
});

const serve = () => serveProcess(fx.configPath, TOKEN);
const api = (url: string, method: string, p: string, body?: unknown) => serviceCall(url, TOKEN, method, p, body);
const mutations = (app: 'bigid' | 'sigma') => simulatorMutations(fx.apps[app]!.stateUrl);
const waitTerminal = async (url: string, id: string) => {
  await expect.poll(async () => (await api(url, 'GET', `/v1/jobs/${id}`)).job.status, { timeout: 30_000 }).toMatch(/^(succeeded|failed)$/);
  return (await api(url, 'GET', `/v1/jobs/${id}`)).job;
};

test('killed after the app applied the change but before the store recorded it', async () => {
  // BigID applies the PUT, then holds the response: the service dies in that window.
  fx.bigid!.faults.enqueue({ kind: 'delay-after-commit', method: 'PUT', pathPrefix: '/api/v1/users/', delayMs: 3000 });
  const first = await serve();
  const job = await api(first.url, 'POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com' });
  await expect.poll(async () => (await mutations('bigid')).length, { timeout: 15_000 }).toBe(1);
  await kill9(first.child);

  const second = await serve();
  try {
    const done = await waitTerminal(second.url, job.job.id);
    expect(done.status).toBe('succeeded');
    expect(done.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['changed', 'changed']);
    expect((await mutations('bigid')).filter((m) => m.method === 'PUT')).toHaveLength(1);
    expect((await mutations('sigma')).filter((m) => m.method === 'DELETE')).toHaveLength(1);
  } finally {
    await kill9(second.child);
  }
});

test('killed before any mutation (while planning) and between tasks', async () => {
  // Sigma's first read hangs far longer than the rest of the run takes (a one-shot
  // fault, so the restarted service reads at full speed): the kill always lands while
  // planning, before anything changed, however loaded the machine is.
  fx.sigma!.faults.enqueue({ kind: 'delay', pathPrefix: '/v2/members', delayMs: 60_000 });
  const first = await serve();
  const a = await api(first.url, 'POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com' });
  const b = await api(first.url, 'POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] });
  await expect.poll(async () => (await api(first.url, 'GET', `/v1/jobs/${b.job.id}`)).job.status, { timeout: 15_000 }).toBe('succeeded');
  await kill9(first.child);
  expect((await mutations('sigma'))).toHaveLength(0);

  const second = await serve();
  try {
    expect((await waitTerminal(second.url, a.job.id)).status).toBe('succeeded');
    const perUser = new Map<string, number>();
    for (const m of [...(await mutations('bigid')), ...(await mutations('sigma'))]) perUser.set(m.userId, (perUser.get(m.userId) ?? 0) + 1);
    // jdoe in both apps and asmith in BigID: three accounts, each changed once.
    expect([...perUser.values()]).toEqual([1, 1, 1]);
  } finally {
    await kill9(second.child);
  }
});

test('serve refuses a non-loopback address without a token', async () => {
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--config', fx.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toContain('without a bearer token');
});
