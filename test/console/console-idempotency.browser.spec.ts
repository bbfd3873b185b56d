import { test, expect } from '@playwright/test';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, deactivations, describeTask, expectAfterIsTruth, stitchTruth, taskFor, userIn } from './console-truth.js';

/**
 * Offboarding through the consoles is safe to repeat: a second run changes nothing,
 * and a dry run walks up to the confirmation dialog, photographs it and cancels.
 * Checked against both simulators' ground truth.
 */
test.describe.configure({ mode: 'serial' });

let env: SimEnv;
let lastJob: Job;
const apps = ['stitch', 'billcom'];

test.beforeAll(async () => {
  env = await startSimEnv(['stitch', 'billcom'], { users: 8 });
});
test.afterAll(async () => {
  await env?.close();
});

test('dry run on both consoles: planned, zero mutations, a screenshot of the confirmation', async () => {
  test.setTimeout(180_000);
  const job = await env.run({ kind: 'offboard', email: 'asmith@example.com', apps, dryRun: true });

  for (const app of apps) {
    const task = taskFor(job, app);
    expect(task.outcome, describeTask(task)).toBe('planned');
    const shot = task.evidence.find((e) => e.kind === 'screenshot' && /confirm deactivation/i.test(e.caption));
    expect(shot, `${app}: screenshot of the confirmation dialog`).toBeDefined();
    // The screenshot is on disk, in the task's folder.
    const taskDir = path.join(env.config.dataDir, 'jobs', job.id, task.id);
    expect(existsSync(path.join(taskDir, (shot as { path: string }).path))).toBe(true);
    expect(task.evidence.some((e) => e.kind === 'note' && /dry run: stopped at .*confirm deactivation.* and cancelled/i.test(e.text))).toBe(true);
  }

  const stitch = await stitchTruth(env);
  const billcom = await billcomTruth(env);
  expect(stitch.mutations).toEqual([]);
  expect(billcom.mutations).toEqual([]);
  expect(userIn(stitch, 'asmith@example.com').status).toBe('Active');
  expect(userIn(billcom, 'asmith@example.com').status).toBe('Active');
});

test('offboard jdoe on both consoles: changed, one deactivation each', async () => {
  test.setTimeout(180_000);
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps });
  lastJob = JSON.parse(await readFile(path.join(env.config.dataDir, 'jobs', job.id, 'job.json'), 'utf8')) as Job;
  for (const app of apps) expect(taskFor(job, app).outcome, describeTask(taskFor(job, app))).toBe('changed');

  const stitch = await stitchTruth(env);
  const billcom = await billcomTruth(env);
  const sJdoe = userIn(stitch, 'jdoe@example.com');
  const bJdoe = userIn(billcom, 'jdoe@example.com');
  expect(sJdoe.status).toBe('Deactivated');
  expect(bJdoe.status).toBe('Inactive');
  expect(deactivations(stitch, sJdoe.id)).toHaveLength(1);
  expect(deactivations(billcom, bJdoe.id)).toHaveLength(1);
  expect(stitch.mutations).toHaveLength(1);
  expect(billcom.mutations).toHaveLength(1);
});

test('evidence #3: after the offboarding, each task\'s after is the simulator\'s record, never the before-state', async () => {
  // The job of the test above is the last one in the store; its tasks are read back here
  // from job.json, as a report would.
  const stitch = await stitchTruth(env);
  const billcom = await billcomTruth(env);
  expectAfterIsTruth(taskFor(lastJob, 'stitch'), stitch);
  expectAfterIsTruth(taskFor(lastJob, 'billcom'), billcom);
  expect(taskFor(lastJob, 'billcom').after?.status).toBe('inactive');
  expect(taskFor(lastJob, 'stitch').after).toBeNull();
});

test('offboard jdoe again: noop on both, no extra mutation', async () => {
  test.setTimeout(180_000);
  const before = { stitch: (await stitchTruth(env)).mutations.length, billcom: (await billcomTruth(env)).mutations.length };
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps });

  const stitchTask = taskFor(job, 'stitch');
  const billcomTask = taskFor(job, 'billcom');
  // Stitch stops listing deactivated members: absent there means "already without access".
  expect(stitchTask.outcome, describeTask(stitchTask)).toBe('noop');
  expect(stitchTask.plan?.noAccess).toBe(true);
  expect(stitchTask.detail).toMatch(/does not list deactivated members/);
  // Bill.com lists them as Inactive.
  expect(billcomTask.outcome, describeTask(billcomTask)).toBe('noop');
  expect(billcomTask.plan?.before?.status).toBe('inactive');

  expect((await stitchTruth(env)).mutations).toHaveLength(before.stitch);
  expect((await billcomTruth(env)).mutations).toHaveLength(before.billcom);
});
