import { test, expect } from '@playwright/test';
import { retryPolicySchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { createScheduler, type StepPriority } from '../../src/queue/scheduler.js';

/**
 * Apply before plan (issue 16): in one app's queue, a task's apply step goes ahead of
 * other jobs' first reads, and a first read that waited `agingMs` joins the applies.
 */
const policy = retryPolicySchema.parse({ attempts: 1 });
const log = createLogger({ redactor: createRedactor(), level: 'fatal', destination: { write: () => undefined } });

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

test('with one slot busy, queued apply steps run before plan reads queued earlier, each group in arrival order', async () => {
  const s = createScheduler({ apps: { app: { concurrency: 1 } }, log });
  const order: string[] = [];
  const busy = gate();
  const enqueue = (label: string, priority: StepPriority | undefined, kind: 'read' | 'mutation' = 'read') =>
    s.run({ app: 'app', label, kind, policy, ...(priority ? { priority } : {}), run: async () => void order.push(label) });
  const first = s.run({ app: 'app', label: 'busy', kind: 'read', policy, run: () => busy.opened });
  const all = [enqueue('plan-1', 'plan'), enqueue('plan-2', undefined), enqueue('apply-1', 'apply'), enqueue('plan-3', 'plan'), enqueue('mutation-1', undefined, 'mutation'), enqueue('apply-2', 'apply')];
  busy.open();
  await Promise.all([first, ...all]);
  expect(order).toEqual(['apply-1', 'mutation-1', 'apply-2', 'plan-1', 'plan-2', 'plan-3']);
});

/** A plan read and an apply queued, then 300 ms later another of each, behind one busy slot: the order they ran in. */
async function lateArrivals(agingMs: number): Promise<string[]> {
  const s = createScheduler({ apps: { app: { concurrency: 1 } }, log, agingMs });
  const order: string[] = [];
  const busy = gate();
  const enqueue = (label: string, priority: StepPriority) => s.run({ app: 'app', label, kind: 'read', policy, priority, run: async () => void order.push(label) });
  const first = s.run({ app: 'app', label: 'busy', kind: 'read', policy, run: () => busy.opened });
  const early = [enqueue('apply-early', 'apply'), enqueue('plan-old', 'plan')];
  await new Promise((r) => setTimeout(r, 300));
  const late = [enqueue('apply-late', 'apply'), enqueue('plan-new', 'plan')];
  busy.open();
  await Promise.all([first, ...early, ...late]);
  return order;
}

test('a plan read that has waited agingMs is no longer overtaken by applies that arrive after that', async () => {
  // plan-old aged into the apply group behind apply-early; plan-new has not aged yet.
  expect(await lateArrivals(100)).toEqual(['apply-early', 'plan-old', 'apply-late', 'plan-new']);
});

test('without aging, the same arrival order lets the later apply go first (the control for the test above)', async () => {
  expect(await lateArrivals(60_000)).toEqual(['apply-early', 'apply-late', 'plan-old', 'plan-new']);
});

test('a cancelled plan read leaves the queue and its aging timer does nothing later', async () => {
  const s = createScheduler({ apps: { app: { concurrency: 1 } }, log, agingMs: 50 });
  const busy = gate();
  const first = s.run({ app: 'app', label: 'busy', kind: 'read', policy, run: () => busy.opened });
  const abort = new AbortController();
  let ran = false;
  const cancelled = s.run({ app: 'app', label: 'plan', kind: 'read', policy, signal: abort.signal, run: async () => void (ran = true) });
  abort.abort();
  await expect(cancelled).rejects.toBeTruthy();
  await new Promise((r) => setTimeout(r, 120));
  busy.open();
  await first;
  await s.onIdle();
  expect(ran).toBe(false);
  expect(s.depth().app).toEqual({ queued: 0, running: 0 });
});
