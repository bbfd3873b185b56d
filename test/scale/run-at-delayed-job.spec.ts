import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';

/**
 * Issue 14 item 3: a job's runAt is a BullMQ delayed job. Queued 2 s ahead, it waits in
 * the delayed set, and the simulator sees its first request only after runAt.
 */
test.describe.configure({ timeout: 120_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

test('runAt 2 s ahead: the run is a delayed job and nothing reaches the app before runAt', async () => {
  env = await startScaleEnv({ workers: 2 });
  const email = env.people()[0]!;
  const runAt = new Date(Date.now() + 2_000).toISOString();
  const before = env.fx.bigid!.faults.requests.length;
  const created = await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid'], runAt });
  const id = created.job.id as string;
  const delayed = await env.queue('jobs').getJobs(['delayed']);
  expect(delayed.map((j) => j.data.jobId)).toContain(id);

  const done = await env.waitTerminal(id);
  expect(done.status).toBe('succeeded');
  const requests = env.fx.bigid!.faults.requests.slice(before);
  expect(requests.length).toBeGreaterThan(0);
  expect(Math.min(...requests.map((r) => r.at))).toBeGreaterThanOrEqual(Date.parse(runAt));
  expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(runAt));
  expect(env.fx.bigid!.store.mutations.entries).toHaveLength(1);
});
