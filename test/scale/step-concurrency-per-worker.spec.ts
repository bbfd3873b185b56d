import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';

/**
 * `queue.stepConcurrency` is one process's share of an app: with the app allowing 4
 * requests at once but a single worker allowed 1 step at a time, the simulator never sees
 * two requests at once, and every job still succeeds. (A step sends its requests one
 * after another, so requests at once = steps at once.) This is what lets more workers add
 * capacity below an app's global cap.
 */
test.describe.configure({ timeout: 120_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

test('one worker with stepConcurrency 1 runs one step of an app at a time, below the app cap of 4', async () => {
  env = await startScaleEnv({ workers: 1, queue: { stepConcurrency: 1 }, launch: { faults: { latencyMs: 30 }, appConfig: { bigid: { concurrency: 4 }, sigma: { concurrency: 4 } } } });
  const people = env.people().slice(0, 6);
  const ids: string[] = [];
  for (const email of people) ids.push((await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] })).job.id);
  const jobs = await Promise.all(ids.map((id) => env.waitTerminal(id, 90_000)));
  expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
  expect(env.fx.bigid!.maxInFlight()).toBe(1);
  expect(env.fx.sigma!.maxInFlight()).toBe(1);
});
