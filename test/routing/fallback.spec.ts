import { test, expect } from '@playwright/test';
import { humanSummary } from '../../src/cli/render-job.js';
import { notes, requestsTo, startRoutingEnv, type RoutingEnv } from './routing-env.js';

/**
 * A routed app (`drivers: [door-a, door-b]`) against a real local two-door app: a
 * refusal (402, 403, UNSUPPORTED) hands the operation to the next driver with the
 * reason in the task's one evidence record; a 5xx or a timeout never does, and a
 * refusal that came after the change landed is caught by the read-back, so nothing is
 * changed twice. Ground truth is the app's own mutation log.
 */
let env: RoutingEnv;
test.afterEach(async () => env?.close());

const offboardLeaver = () => env.run({ kind: 'offboard', email: 'leaver@example.com', apps: ['docs'] });

for (const [status, code] of [
  [402, 'NOT_ON_PLAN'],
  [403, 'FORBIDDEN'],
  [501, 'UNSUPPORTED'],
] as const) {
  test(`a ${status} from the first driver hands deactivate to the next, with ${code} in the evidence`, async () => {
    env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
    env.app.fail('a', 'deactivate', { status });
    const job = await offboardLeaver();
    const task = job.tasks[0]!;
    expect(task.error).toBeNull();
    expect(task.outcome).toBe('changed');
    expect(task.after?.status).toBe('inactive');
    // Ground truth: one change, through door b; door a was asked and refused.
    expect(env.app.mutations).toEqual([{ door: 'b', op: 'deactivate', userId: 'u1' }]);
    expect(env.app.members.get('u1')!.active).toBe(false);
    expect(env.app.hits.filter((h) => h.door === 'a' && h.path.endsWith('/deactivate'))).toHaveLength(1);

    // One record on disk, both doors in it: the refused request, the handing-over note, door b's request and file.
    const record = await env.record(job, task);
    const handover = notes(record).find((n) => n.startsWith('deactivate via door-a refused'));
    expect(handover).toContain(`(${code}:`);
    expect(handover).toMatch(/handing to door-b$/);
    expect(requestsTo(record, 'a').some((r) => r.kind === 'request' && r.method === 'POST' && r.status === status)).toBe(true);
    expect(requestsTo(record, 'b').some((r) => r.kind === 'request' && r.method === 'POST' && r.status === 200)).toBe(true);
    expect(record.some((i) => i.kind === 'html' && i.path.includes('door-b-after'))).toBe(true);
    // The plan said door a (capabilities allow it there); the note says what happened.
    expect(task.plan?.steps).toEqual([{ operation: 'deactivate', driver: 'door-a' }]);
    // And the terminal says it too, under the task, without opening the evidence.
    const summary = humanSummary(job, '/data');
    const taskLines = summary.split('\n').slice(summary.split('\n').findIndex((l) => l.includes('docs ')));
    expect(taskLines.find((l) => l.trim().startsWith('note: deactivate via door-a refused'))).toContain(`(${code}:`);
  });
}

test('a 503 never falls back: the scheduler retries the same driver, then the task fails, door b untouched', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'deactivate', { status: 503 });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('failed');
  expect(task.error?.code).toBe('UPSTREAM_UNAVAILABLE');
  expect(env.app.mutations).toEqual([]);
  expect(env.app.hits.filter((h) => h.door === 'b' && h.path.endsWith('/deactivate'))).toHaveLength(0);
  expect(env.app.hits.filter((h) => h.door === 'a' && h.path.endsWith('/deactivate')).length).toBeGreaterThanOrEqual(2);
  expect(notes(await env.record(job, task)).some((n) => n.includes('handing to'))).toBe(false);
});

test('a timeout never falls back: the change may be under way at door a, so door b is never asked', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'deactivate', { hang: true });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('failed');
  expect(task.error?.code).toBe('TIMEOUT');
  expect(env.app.hits.filter((h) => h.door === 'b' && h.path.endsWith('/deactivate'))).toHaveLength(0);
  expect(env.app.members.get('u1')!.active).toBe(true);
});

test('a refusal after the change landed: read back first, and door b is never sent the change', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'deactivate', { status: 403, landFirst: true });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.error).toBeNull();
  expect(task.outcome).toBe('changed');
  expect(task.after?.status).toBe('inactive');
  // Exactly one change, the one door a made before it answered 403.
  expect(env.app.mutations).toEqual([{ door: 'a', op: 'deactivate', userId: 'u1' }]);
  expect(env.app.hits.filter((h) => h.door === 'b' && h.path.endsWith('/deactivate'))).toHaveLength(0);
  const all = notes(await env.record(job, task));
  expect(all.some((n) => n.startsWith('deactivate via door-a refused (FORBIDDEN:'))).toBe(true);
  expect(all).toContain('read back before handing deactivate to door-b: the change is already there; not sent again');
});

test('reads fall back too: a 403 on find at door a is answered by door b', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'find', { status: 403 });
  env.app.fail('a', 'deactivate', { status: 403 });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('changed');
  expect(env.app.mutations).toEqual([{ door: 'b', op: 'deactivate', userId: 'u1' }]);
  expect(notes(await env.record(job, task)).some((n) => n.startsWith('find leaver@example.com via door-a refused (FORBIDDEN:'))).toBe(true);
});

test('the last driver refusing fails the task with its own error: nothing left to hand to', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'deactivate', { status: 402 });
  env.app.fail('b', 'deactivate', { status: 403 });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('failed');
  expect(task.error?.code).toBe('FORBIDDEN');
  expect(env.app.mutations).toEqual([]);
});

test('a driver whose reads are refused as not offered (501) is passed over: the plan names the next driver, and the door is not asked again', async () => {
  env = await startRoutingEnv([{ door: 'a' }, { door: 'b' }]);
  env.app.fail('a', 'find', { status: 501 });
  const job = await offboardLeaver();
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('changed');
  expect(task.plan?.steps).toEqual([{ operation: 'deactivate', driver: 'door-b' }]);
  expect(notes(await env.record(job, task)).some((n) => n.startsWith('find leaver@example.com via door-a refused (UNSUPPORTED:'))).toBe(true);
  // Ground truth: door a was asked once (the read it refused), never to change anything.
  expect(env.app.mutations).toEqual([{ door: 'b', op: 'deactivate', userId: 'u1' }]);
  expect(env.app.hits.filter((h) => h.door === 'a').map((h) => `${h.method} ${h.path}`)).toEqual(['GET /users']);
  // A second job in the same process goes straight to door b.
  await env.run({ kind: 'offboard', email: 'other@example.com', apps: ['docs'] });
  expect(env.app.hits.filter((h) => h.door === 'a')).toHaveLength(1);
  expect(env.app.members.get('u3')!.active).toBe(false);
});
