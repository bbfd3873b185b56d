import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Console apps' steps run in BullMQ sandboxed children of `seatctl worker` (so Chromium
 * work never holds up the worker's lock renewals). An offboarding in Stitch and Bill.com
 * through `serve --no-work` and one worker: both deactivated once, each task with its own
 * screenshots stored where the job's evidence index says, with the recorded hashes.
 */
test.describe.configure({ timeout: 180_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

test('a console offboarding runs through a worker: both apps changed once, screenshots stored per task with their hashes', async () => {
  env = await startScaleEnv({ workers: 1, launch: { apps: ['stitch', 'billcom'], simulators: {} } });
  const email = 'jdoe@example.com';
  const created = await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['stitch', 'billcom'] });
  const job = await env.waitTerminal(created.job.id, 150_000);
  expect(job.status).toBe('succeeded');
  expect(job.tasks.map((t: { app: string; outcome: string }) => `${t.app}:${t.outcome}`).sort()).toEqual(['billcom:changed', 'stitch:changed']);

  // Ground truth in the simulators: this run changed one account in each, once.
  expect(env.fx.stitch!.store.snapshot().mutations).toHaveLength(1);
  expect(env.fx.billcom!.store.mutations.entries).toHaveLength(1);

  // Evidence: each task's screenshots are in that task's own folder, with the recorded hashes.
  for (const t of job.tasks as { id: string; app: string }[]) {
    const folder = path.join(env.fx.dataDir, 'jobs', job.id, t.id);
    const items = JSON.parse(await readFile(path.join(folder, 'evidence.json'), 'utf8')) as { kind: string; path: string; sha256: string }[];
    const shots = items.filter((e) => e.kind === 'screenshot');
    expect(shots.length, `${t.app} screenshots`).toBeGreaterThan(0);
    for (const s of shots) expect(createHash('sha256').update(await readFile(path.join(folder, s.path))).digest('hex'), `${t.app} ${s.path}`).toBe(s.sha256);
  }
});
