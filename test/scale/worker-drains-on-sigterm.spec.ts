import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';

/**
 * Issue 14 item 4: SIGTERM drains a worker. It takes no new work, but what it holds
 * (here a job whose first read hangs for 3 s) runs to the end before it exits 0.
 */
test.describe.configure({ timeout: 120_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

test('SIGTERM: the worker finishes the job it holds, then exits 0', async () => {
  env = await startScaleEnv({ workers: 1 });
  const bigid = env.fx.bigid!;
  bigid.faults.enqueue({ kind: 'delay', method: 'GET', pathPrefix: '/api/v1/users', delayMs: 3_000 });
  const email = env.people()[0]!;
  const id = (await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid'] })).job.id as string;
  await expect.poll(() => bigid.faults.requests.filter((r) => r.path.startsWith('/api/v1/users')).length, { timeout: 30_000 }).toBeGreaterThan(0);
  const worker = env.workers[0]!;
  worker.child.kill('SIGTERM');
  expect(await worker.exited).toBe(0);
  expect(worker.stderr()).toMatch(/worker draining/);
  // Finished by the draining worker itself: no other worker exists.
  const job = (await env.api('GET', `/v1/jobs/${id}`)).job;
  expect(job.status).toBe('succeeded');
  expect(bigid.store.mutations.entries).toHaveLength(1);
});
