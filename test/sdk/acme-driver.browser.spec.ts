import { test, expect } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { jobDir } from '../../src/audit/job-folder.js';
import { loadDriverModule } from '../../src/config/driver-module.js';
import { runSmoke } from '../../src/sdk/smoke.js';
import { cli } from '../support/cli-run.js';
import { startAcmeEnv, type AcmeEnv } from './acme-env.js';

/**
 * A console driver written outside src/ (test/sdk/acme/, importing only 'seatctl'),
 * named by path in a config file and run through the whole engine: plan, dry run,
 * offboarding with screenshots and traces, read-back, doctor, replay.
 */
test.describe.configure({ mode: 'serial' });
let env: AcmeEnv;
const activeUsers = () => env.acme.state().users.filter((u) => u.status === 'Active').length;

test.beforeAll(async () => {
  env = await startAcmeEnv({ whatsNew: true });
});
test.afterAll(async () => env?.close());

const evidenceFiles = (job: { id: string; tasks: { id: string; evidence: { kind: string; path?: string }[] }[] }) =>
  job.tasks[0]!.evidence.filter((e) => e.path).map((e) => ({ kind: e.kind, file: path.join(jobDir(env.dataDir, job.id), job.tasks[0]!.id, e.path!) }));

test('the config names the driver by path and the engine gets its definition', () => {
  expect(env.config.apps.acme!.definition).toMatchObject({ name: 'acme-ui', kind: 'console', defaultConcurrency: 2 });
});

test('dry run: stops at the confirm dialog with a screenshot, changes nothing', async () => {
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['acme'], dryRun: true });
  const task = job.tasks[0]!;
  expect(task.outcome, JSON.stringify(task.error)).toBe('planned');
  expect(task.notes.join('\n')).toContain('confirm deactivating jdoe@example.com');
  const shots = evidenceFiles(job).filter((e) => e.kind === 'screenshot');
  expect(shots.length).toBeGreaterThanOrEqual(2);
  for (const s of shots) expect(existsSync(s.file)).toBe(true);
  expect(env.acme.state().mutations).toHaveLength(0);
  expect(env.acme.state().users.find((u) => u.email === 'jdoe@example.com')!.status).toBe('Active');
});

test('offboarding deactivates through the dialog, proven by read-back, screenshots and a trace; again is a no-op', async () => {
  const job = await env.run({ kind: 'offboard', email: 'JDoe@example.com', apps: ['acme'] });
  const task = job.tasks[0]!;
  expect(task.outcome, JSON.stringify(task.error)).toBe('changed');
  expect(task.after).toMatchObject({ email: 'jdoe@example.com', status: 'inactive' });
  const files = evidenceFiles(job);
  expect(files.filter((e) => e.kind === 'screenshot').length).toBeGreaterThanOrEqual(3);
  expect(files.some((e) => e.kind === 'trace')).toBe(true);
  for (const f of files) expect(existsSync(f.file), f.file).toBe(true);
  expect(env.acme.state().mutations).toEqual([expect.objectContaining({ path: '/admin/users/u101/deactivate' })]);

  const again = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['acme'] });
  expect(again.tasks[0]!.outcome).toBe('noop');
  expect(env.acme.state().mutations).toHaveLength(1);
  // One sign-in for the whole process: later tasks reuse the session.
  expect(env.acme.state().logins).toBe(1);
  expect(env.logs.join('\n')).not.toContain(env.acme.credentials.password);
});

test('someone without an Acme account is not_found, not an error', async () => {
  const job = await env.run({ kind: 'offboard', email: 'nobody@example.com', apps: ['acme'] });
  expect(job.tasks[0]!.outcome).toBe('not_found');
});

test('doctor signs in and runs the canary of the driver module', async () => {
  const result = await cli(['doctor', '--json', '--config', env.configFile]);
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout).doctor;
  expect(doc.ok).toBe(true);
  expect(doc.apps).toEqual([expect.objectContaining({ app: 'acme', driver: 'acme-ui', ok: true, users: 3 })]);
});

test('replay rehearses a recorded dry run of the driver module', async () => {
  const dry = await cli(['--json', 'offboard', 'asmith@example.com', '--dry-run', '--config', env.configFile]);
  expect(dry.code, dry.stderr).toBe(0);
  const jobId = JSON.parse(dry.stdout).job.id;
  const replay = await cli(['--json', 'replay', jobId, '--config', env.configFile]);
  expect(replay.code, replay.stderr).toBe(0);
  const doc = JSON.parse(replay.stdout);
  expect(doc.replayOf).toBe(jobId);
  expect(doc.job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['planned']);
  expect(env.acme.state().users.find((u) => u.email === 'asmith@example.com')!.status).toBe('Active');
});

test('runSmoke, what a scaffolded smoke test calls, runs the canary and findUser read-only', async () => {
  const definition = await loadDriverModule('./acme/driver.ts', path.dirname(env.configFile), 'driver');
  const before = env.acme.state().mutations.length;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-smoke-test-'));
  try {
    const result = await runSmoke(definition, {
      baseUrl: env.acme.url,
      credentials: { email: env.acme.credentials.email, password: 'env:ACME_SMOKE_PASSWORD' },
      email: 'klee@example.com',
      dataDir,
      env: { ACME_SMOKE_PASSWORD: env.acme.credentials.password },
    });
    expect(result.users).toBe(activeUsers());
    expect(result.found).toMatchObject({ email: 'klee@example.com', status: 'active' });
    expect(existsSync(path.join(result.evidenceDir, 'evidence.json'))).toBe(true);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  expect(env.acme.state().mutations.length).toBe(before);
});

test('the console starter from new-driver, unchanged, passes its smoke check against Acme', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-scaffold-'));
  try {
    expect((await cli(['new-driver', 'acme', '--kind', 'console', '--dir', 'starter'], {}, dir)).code).toBe(0);
    const definition = await loadDriverModule('./starter/driver.ts', dir, 'driver');
    const result = await runSmoke(definition, {
      baseUrl: env.acme.url,
      credentials: { email: env.acme.credentials.email, password: 'env:ACME_PASSWORD' },
      email: 'ada@example.com',
      dataDir: path.join(dir, 'data'),
      env: { ACME_PASSWORD: env.acme.credentials.password },
    });
    expect(result.users).toBe(activeUsers());
    expect(result.found).toMatchObject({ role: 'Admin', status: 'active' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('after a redesign, doctor fails naming the locator and the screenshot of the page', async () => {
  env.acme.redesign(true);
  try {
    const result = await cli(['doctor', '--json', '--config', env.configFile]);
    expect(result.code).toBe(1);
    const app = JSON.parse(result.stdout).doctor.apps[0];
    expect(app.error).toMatchObject({ code: 'LOCATOR_NOT_FOUND', locator: 'acme-ui.usersTable' });
    expect(existsSync(app.error.screenshot)).toBe(true);
  } finally {
    env.acme.redesign(false);
  }
});
