import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';

/**
 * Issue 14 item 3: a job that waits for approval is not held by any worker; the
 * approval, taken by `serve --no-work`, queues the job's next run for the workers, and
 * nothing reached the app's write API before it.
 */
test.describe.configure({ timeout: 120_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

test('the approval queues the next run: the workers apply only after it', async () => {
  // No sweep during the test: only the approval's own enqueue can start the run.
  env = await startScaleEnv({ workers: 2, queue: { sweepIntervalMs: 3_600_000 }, launch: { config: { approvals: { allowSelfApproval: true } } } });
  const email = env.people()[0]!;
  const created = await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'], requireApproval: true });
  const id = created.job.id as string;
  await expect.poll(async () => (await env.api('GET', `/v1/jobs/${id}`)).job.status, { timeout: 30_000 }).toBe('awaiting_approval');
  const waiting = (await env.api('GET', `/v1/jobs/${id}`)).job;
  expect(env.fx.bigid!.store.mutations.entries).toHaveLength(0);
  expect(env.fx.sigma!.store.mutations.entries).toHaveLength(0);

  const approved = await env.api('POST', `/v1/jobs/${id}/approve`, { planHash: waiting.planHash });
  expect(approved.job?.status ?? approved.status).not.toBe('failed');
  const done = await env.waitTerminal(id);
  expect(done.status).toBe('succeeded');
  expect(env.fx.bigid!.store.mutations.entries).toHaveLength(1);
  expect(env.fx.sigma!.store.mutations.entries).toHaveLength(1);
});
