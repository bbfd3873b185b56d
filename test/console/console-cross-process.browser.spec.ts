import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import type { FileEvidence, Job } from '../../src/model/index.js';
import { openJobStore } from '../../src/store/index.js';
import { CLI_BIN, cliProcess } from '../support/cli-run.js';
import { registerSecret, scanTempDir } from '../support/scan-root.js';
import { kill9, serveProcess, serviceCall } from '../support/serve-process.js';
import { deactivations, expectAfterIsTruth, taskFor, userIn, type BillcomState, type StitchState } from './console-truth.js';

/**
 * A console job planned by one process and applied by another — approved with the
 * built CLI, approved through the service's HTTP endpoint, or resumed by the service
 * after `kill -9` in the middle of the change. Each ends with `seatctl jobs verify`
 * passing (no evidence file of the first process was overwritten by the second), one
 * deactivation per account in the simulators' logs, and each task's `after` equal to
 * the simulator's record. Offboarding needs approval in this config, so the plan and
 * the change always run in different processes.
 */
test.describe.configure({ mode: 'serial' });

const apps = ['stitch', 'billcom'] as const;
const TOKEN = 'cross-process-token-0123456789';
let fx: LaunchedFixtures;
/** The job of the first test, tampered with by the second. */
let approvedJobId = '';

test.beforeAll(async () => {
  fx = await launchFixtures({
    dir: scanTempDir('seatctl-xproc-'),
    apps: [...apps],
    users: 6,
    // One person plans and approves here (the test is about processes, not people): self-approval on.
    config: { approvals: { blastRadius: 25, require: [{ action: 'offboard' }], allowSelfApproval: true } },
  });
  for (const secret of fx.secrets) registerSecret(secret, 'simulator credential');
});
test.afterAll(async () => {
  await fx?.close();
});

const seatctl = (...args: string[]) => cliProcess([...args, '--config', fx.configPath]);
const stitchState = async () => (await (await fetch(fx.apps.stitch!.stateUrl)).json()) as StitchState;
const billcomState = async () => (await (await fetch(fx.apps.billcom!.stateUrl)).json()) as BillcomState;

/** Process 1: plan an offboarding; it stops at the approval, having changed nothing. */
async function planOffboarding(email: string, only: readonly string[] = apps): Promise<{ id: string; hash: string }> {
  const planned = await seatctl('offboard', email, '--apps', only.join(','), '--yes', '--json');
  const doc = JSON.parse(planned.stdout) as { job: { id: string; status: string; planHash: string } };
  expect(doc.job.status, planned.stderr).toBe('awaiting_approval');
  return { id: doc.job.id, hash: doc.job.planHash };
}

async function storedJob(id: string): Promise<Job> {
  const store = await openJobStore({ dataDir: fx.dataDir });
  try {
    return (await store.get(id))!.job;
  } finally {
    await store.close();
  }
}

async function expectVerified(id: string): Promise<void> {
  const human = await seatctl('jobs', 'verify', id);
  expect(human.code, human.stdout + human.stderr).toBe(0);
  expect(human.stdout).toMatch(/^verified: audit chain intact/);
  const json = await seatctl('jobs', 'verify', id, '--json');
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: true });
}

/** Ground truth of one offboarded person: one deactivation in each app, `after` read back as it is. */
async function expectOffboardedOnce(job: Job, email: string, only: readonly string[] = apps): Promise<void> {
  const stitch = await stitchState();
  expect(userIn(stitch, email).status).toBe('Deactivated');
  expect(deactivations(stitch, userIn(stitch, email).id)).toHaveLength(1);
  expectAfterIsTruth(taskFor(job, 'stitch'), stitch);
  if (!only.includes('billcom')) return;
  const billcom = await billcomState();
  expect(userIn(billcom, email).status).toBe('Inactive');
  expect(deactivations(billcom, userIn(billcom, email).id)).toHaveLength(1);
  expectAfterIsTruth(taskFor(job, 'billcom'), billcom);
}

/** Traces of both processes are all kept: distinct files, each with its phase and attempt. */
function expectTracesOfBothProcesses(job: Job): void {
  for (const app of apps) {
    const traces = taskFor(job, app).evidence.filter((e): e is FileEvidence => e.kind === 'trace');
    expect(new Set(traces.map((t) => t.path)).size).toBe(traces.length);
    // The plan's look-up (process 1) and the pre-change look-up (process 2) are both there.
    expect(traces.filter((t) => t.phase === 'find').map((t) => t.attempt)).toEqual([1, 2]);
    expect(traces.filter((t) => t.phase === 'deactivate').length).toBeGreaterThanOrEqual(1);
  }
}

test('evidence #4 / tests #5: planned by one CLI process, approved by `seatctl jobs approve` in another → verified, one deactivation each', async () => {
  test.setTimeout(300_000);
  const { id, hash } = await planOffboarding('jdoe@example.com');
  expect((await stitchState()).mutations).toEqual([]);
  expect((await billcomState()).mutations).toEqual([]);

  const approved = await seatctl('jobs', 'approve', id, '--hash', hash, '--json');
  expect(approved.code, approved.stderr).toBe(0);
  expect(JSON.parse(approved.stdout).job.status).toBe('succeeded');

  await expectVerified(id);
  approvedJobId = id;
  const job = await storedJob(id);
  await expectOffboardedOnce(job, 'jdoe@example.com');
  expectTracesOfBothProcesses(job);
  expect((await stitchState()).mutations).toHaveLength(1);
  expect((await billcomState()).mutations).toHaveLength(1);
});

test('evidence #4: one edited byte of a console evidence file is still caught by jobs verify', async () => {
  const job = await storedJob(approvedJobId);
  const task = taskFor(job, 'stitch');
  const shot = task.evidence.find((e): e is FileEvidence => e.kind === 'screenshot')!;
  const file = path.join(fx.dataDir, 'jobs', job.id, task.id, shot.path);
  const bytes = await readFile(file);
  const at = bytes.length >> 1;
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(file, bytes);

  const verdict = await seatctl('jobs', 'verify', job.id);
  expect(verdict.code).toBe(1);
  expect(verdict.stdout).toContain('NOT VERIFIED');
  expect(verdict.stdout).toContain(`${task.id}/${shot.path}: edited`);
});

test('tests #5: planned by the CLI, approved through the service\'s HTTP approve endpoint → verified, one deactivation each', async () => {
  test.setTimeout(300_000);
  const { id, hash } = await planOffboarding('asmith@example.com');
  const serve = await serveProcess(fx.configPath, TOKEN);
  try {
    const approved = await serviceCall(serve.url, TOKEN, 'POST', `/v1/jobs/${id}/approve`, { planHash: hash });
    expect(approved.job.id).toBe(id);
    await expect.poll(async () => (await serviceCall(serve.url, TOKEN, 'GET', `/v1/jobs/${id}`)).job.status, { timeout: 180_000 }).toBe('succeeded');
  } finally {
    await kill9(serve.child);
  }
  await expectVerified(id);
  const job = await storedJob(id);
  await expectOffboardedOnce(job, 'asmith@example.com');
  expectTracesOfBothProcesses(job);
});

test('tests #5: kill -9 of `seatctl jobs approve` in the middle of a Stitch change, resumed by the service → verified, one deactivation', async () => {
  test.setTimeout(300_000);
  // A generated Stitch member (the two consoles' generated people differ).
  const email = (await stitchState()).users.find((u) => u.status === 'Active' && u.role === 'General User' && !/^(jdoe|asmith|it-admin)@/.test(u.email))?.email;
  expect(email, 'a spare Stitch member').toBeDefined();
  const { id, hash } = await planOffboarding(email!, ['stitch']);
  const stitchBefore = (await stitchState()).mutations.length;

  // Every console page is slow from now on: once Stitch has applied the deactivation,
  // the read-back page is still loading when the process is killed.
  fx.stitch!.consoleFaults.pageLatencyMs = 1_500;
  const approver = spawn(process.execPath, [CLI_BIN, 'jobs', 'approve', id, '--hash', hash, '--json', '--config', fx.configPath], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => approver.once('exit', (code) => resolve(code)));
  await expect.poll(async () => (await stitchState()).mutations.length, { timeout: 180_000, intervals: [50] }).toBe(stitchBefore + 1);
  await kill9(approver);
  expect(await exited, 'killed, not finished').toBeNull();
  fx.stitch!.consoleFaults.pageLatencyMs = 0;
  expect((await storedJob(id)).status).toBe('running');

  const serve = await serveProcess(fx.configPath, TOKEN);
  try {
    await expect.poll(async () => (await serviceCall(serve.url, TOKEN, 'GET', `/v1/jobs/${id}`)).job.status, { timeout: 180_000 }).toBe('succeeded');
  } finally {
    await kill9(serve.child);
  }
  await expectVerified(id);
  const job = await storedJob(id);
  await expectOffboardedOnce(job, email!, ['stitch']);
  expect(taskFor(job, 'stitch').notes).toContain('the process stopped after sending this change; confirmed by reading the account back on resume');
});
