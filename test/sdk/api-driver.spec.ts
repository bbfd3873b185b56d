import { test, expect } from '@playwright/test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadConfigFile } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { buildJob } from '../../src/engine/build-job.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { runJob } from '../../src/engine/run-job.js';
import { createTestEngine } from '../support/test-engine.js';
import { actionRequestSchema, type JobRequestInput } from '../../src/model/index.js';
import { cli } from '../support/cli-run.js';
import { startBetaApi, type BetaApi } from './beta/beta-api.js';
import { SDK_TEST_DIR } from './acme-env.js';
import { registerSecret, scanRoot } from '../support/scan-root.js';

/**
 * defineApiDriver through the whole engine, with a driver written outside src/
 * (test/sdk/beta/driver.ts) and named by path in a config: dry runs never send a
 * mutation, every change is read back, sign-in is shared and renewed on a 401.
 */
let beta: BetaApi;
let dir: string;
let configFile: string;
let runtime: Runtime;
let logs: string[];

test.beforeEach(async () => {
  beta = await startBetaApi();
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-beta-'));
  // The driver by absolute path this time; the Acme tests use ./relative.
  configFile = path.join(dir, 'seatctl.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      dataDir: 'data',
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      apps: { beta: { driver: path.join(SDK_TEST_DIR, 'beta', 'driver.ts'), baseUrl: beta.url, credentials: { email: beta.credentials.email, password: 'env:BETA_TEST_PASSWORD' } } },
    }),
  );
  const config = await loadConfigFile(configFile, builtInDrivers());
  registerSecret(beta.credentials.password, 'beta password');
  registerSecret(beta.credentials.apiKey, 'beta API key');
  ({ runtime, logs } = createTestEngine(config, { env: { BETA_TEST_PASSWORD: beta.credentials.password } }));
});

test.afterEach(async () => {
  await runtime.close();
  await beta.close();
});

const run = (request: JobRequestInput) => runJob(buildJob(actionRequestSchema.parse(request), runtime.config), runtime);

test('offboarding deactivates, confirmed by read-back; the request records are the evidence', async () => {
  const job = await run({ kind: 'offboard', email: 'JDoe@example.com', apps: ['beta'] });
  const task = job.tasks[0]!;
  expect(task.outcome, JSON.stringify(task.error)).toBe('changed');
  expect(task.after).toMatchObject({ email: 'jdoe@example.com', status: 'inactive' });
  expect(beta.state().mutations).toEqual([expect.objectContaining({ method: 'PATCH', userId: 'b-2' })]);
  const requests = task.evidence.filter((e) => e.kind === 'request');
  expect(requests.some((r) => r.kind === 'request' && r.method === 'PATCH' && r.status === 200)).toBe(true);
  // The sign-in was recorded without its body, and the password is nowhere.
  expect(JSON.stringify(task.evidence)).not.toContain(beta.credentials.password);
  expect(logs.join('\n')).not.toContain(beta.credentials.password);
  expect((await run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['beta'] })).tasks[0]!.outcome).toBe('noop');
});

test('dry run: the mutation is recorded as planned and never sent', async () => {
  const job = await run({ kind: 'offboard', email: 'asmith@example.com', apps: ['beta'], dryRun: true });
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('planned');
  const planned = task.evidence.filter((e) => e.kind === 'request' && e.planned);
  expect(planned).toEqual([expect.objectContaining({ method: 'PATCH', url: `${beta.url}/users/b-3`, requestBody: { active: false } })]);
  expect(beta.state().mutations).toHaveLength(0);
  expect(beta.state().users.find((u) => u.id === 'b-3')!.active).toBe(true);
});

test('a change the app does not keep fails with READBACK_MISMATCH', async () => {
  beta.lie(true);
  const job = await run({ kind: 'set-role', email: 'klee@example.com', roles: { beta: 'Member' } });
  expect(job.tasks[0]!.outcome).toBe('failed');
  expect(job.tasks[0]!.error).toMatchObject({ code: 'READBACK_MISMATCH' });
});

test('one sign-in serves many tasks; an expired token means one new sign-in', async () => {
  await Promise.all(['ada', 'mo'].map((who) => run({ kind: 'set-role', email: `${who}@example.com`, roles: { beta: 'Member' } })));
  expect(beta.state().logins).toBe(1);
  beta.expireTokens();
  const job = await run({ kind: 'offboard', email: 'mo@example.com', apps: ['beta'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect(beta.state().logins).toBe(2);
});

test('an unknown role is refused before anything is written; a missing flow is UNSUPPORTED', async () => {
  const bad = await run({ kind: 'set-role', email: 'jdoe@example.com', roles: { beta: 'Wizard' } });
  expect(bad.tasks[0]!.error).toMatchObject({ code: 'ROLE_INVALID' });
  const provision = await run({ kind: 'provision', email: 'new@example.com', firstName: 'N', lastName: 'E', roles: { beta: 'Admin' } });
  expect(provision.tasks[0]!.error).toMatchObject({ code: 'UNSUPPORTED' });
  const deleting = await run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['beta'], mode: 'delete' });
  expect(deleting.tasks[0]!.error).toMatchObject({ code: 'UNSUPPORTED' });
  expect(beta.state().mutations).toHaveLength(0);
});

test('doctor reads the first page of the API driver module', async () => {
  const result = await cli(['doctor', '--json', '--config', configFile], { BETA_TEST_PASSWORD: beta.credentials.password });
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).doctor.apps).toEqual([expect.objectContaining({ app: 'beta', driver: 'beta-api', ok: true, users: 2 })]);
});
