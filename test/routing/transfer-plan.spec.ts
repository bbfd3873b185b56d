import { test, expect } from '@playwright/test';
import { planHash } from '../../src/engine/plan-hash.js';
import type { Job } from '../../src/model/index.js';
import { notes, requestsTo, startRoutingEnv, type RoutingEnv } from './routing-env.js';

/**
 * `offboard --transfer-to`: documents are handed over first (by the driver that can),
 * then the account is deactivated (by the first driver that can); the plan names the
 * driver of each step, and an approval bound to a plan does not survive a change of
 * driver.
 */
let env: RoutingEnv;
test.afterEach(async () => env?.close());

const offboard = (extra: Record<string, unknown> = {}) => env.run({ kind: 'offboard', email: 'leaver@example.com', apps: ['docs'], transferTo: 'manager@example.com', ...extra });

test('documents go to the manager through the driver that can hand over, then the first driver deactivates', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b', transfer: true }]);
  const job = await offboard();
  const task = job.tasks[0]!;
  expect(task.error).toBeNull();
  expect(task.outcome).toBe('changed');
  expect(task.plan?.operations).toEqual(['transfer-ownership', 'deactivate']);
  expect(task.plan?.steps).toEqual([
    { operation: 'transfer-ownership', driver: 'door-b' },
    { operation: 'deactivate', driver: 'door-a' },
  ]);
  // Ground truth: the leaver's two documents now belong to the manager, the other's stay; transfer before deactivate.
  expect([...env.app.documents.entries()]).toEqual([
    ['d1', 'manager@example.com'],
    ['d2', 'manager@example.com'],
    ['d3', 'other@example.com'],
  ]);
  expect(env.app.mutations).toEqual([
    { door: 'b', op: 'transfer', userId: 'u1', to: 'manager@example.com', moved: 2 },
    { door: 'a', op: 'deactivate', userId: 'u1' },
  ]);
  expect(task.notes).toContain('2 document(s) handed to manager@example.com');
  // One record, requests from both doors and door b's file side by side.
  const record = await env.record(job, task);
  expect(requestsTo(record, 'a').length).toBeGreaterThan(0);
  expect(requestsTo(record, 'b').some((r) => r.kind === 'request' && r.url.endsWith('/transfer'))).toBe(true);
  expect(record.some((i) => i.kind === 'html' && i.path.includes('door-b-transfer'))).toBe(true);
});

test('a dry run shows the steps and their drivers and moves nothing', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b', transfer: true }]);
  const job = await offboard({ dryRun: true });
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('planned');
  expect(task.plan?.steps?.map((s) => `${s.operation}@${s.driver}`)).toEqual(['transfer-ownership@door-b', 'deactivate@door-a']);
  expect(env.app.mutations).toEqual([]);
  expect(env.app.documents.get('d1')).toBe('leaver@example.com');
});

test('when no app of the job has a driver able to hand over, --transfer-to is refused before anything is read, naming transferTo', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  await expect(offboard()).rejects.toMatchObject({ code: 'USAGE', message: expect.stringMatching(/^transferTo: none of docs has a driver that can hand documents over/) });
  expect(env.app.mutations).toEqual([]);
  expect(env.app.members.get('u1')!.active).toBe(true);
});

test('a refused hand-over goes to the next driver that can (402 at door a)', async () => {
  env = await startRoutingEnv([{ door: 'a', transfer: true }, { door: 'b', transfer: true }]);
  env.app.fail('a', 'transfer', { status: 402 });
  const job = await offboard();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('changed');
  expect(env.app.mutations.map((m) => `${m.op}@${m.door}`)).toEqual(['transfer@b', 'deactivate@a']);
  expect(notes(await env.record(job, task)).some((n) => n.startsWith('transfer-ownership via door-a refused (NOT_ON_PLAN:') && n.endsWith('handing to door-b'))).toBe(true);
});

test('the plan hash binds the driver of each step: the same plan through another driver is another hash', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b', transfer: true }]);
  const job = await offboard({ dryRun: true });
  const hash = planHash(job);
  const withDriver = (driver: string): Job => ({ ...job, tasks: job.tasks.map((t) => ({ ...t, plan: t.plan && { ...t.plan, steps: t.plan.steps!.map((s, i) => (i === 0 ? { ...s, driver } : s)) } })) });
  expect(planHash(withDriver('door-b'))).toBe(hash);
  expect(planHash(withDriver('door-a'))).not.toBe(hash);
  // A plan recorded before steps existed hashes as it always did (no steps key).
  const legacy: Job = { ...job, tasks: job.tasks.map((t) => ({ ...t, plan: t.plan && { operations: t.plan.operations, summary: t.plan.summary, before: t.plan.before } })) };
  expect(planHash(legacy)).not.toBe(hash);
});
