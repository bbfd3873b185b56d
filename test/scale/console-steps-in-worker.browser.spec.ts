import { test, expect } from '@playwright/test';
import { startScaleEnv, type ScaleEnv } from '../support/scale-env.js';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
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

/** Every live descendant of a process (children first found through /proc/<pid>/task/<tid>/children). */
async function descendants(pid: number): Promise<number[]> {
  const found: number[] = [];
  const walk = async (p: number) => {
    const tasks = await readdir(`/proc/${p}/task`).catch(() => [] as string[]);
    for (const tid of tasks) {
      const children = (await readFile(`/proc/${p}/task/${tid}/children`, 'utf8').catch(() => '')).split(' ').filter(Boolean).map(Number);
      for (const c of children) {
        found.push(c);
        await walk(c);
      }
    }
  };
  await walk(pid);
  return found;
}

const alive = async (pid: number) => {
  // A zombie (exited, not yet reaped by init) is gone for our purpose.
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && !/^\d+ \(.*\) Z /.test(stat);
};

test('a worker killed with -9 leaves no sandboxed child or Chromium behind', async () => {
  env = await startScaleEnv({ workers: 1, launch: { apps: ['stitch'], simulators: {} } });
  const created = await env.api('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] });
  expect((await env.waitTerminal(created.job.id, 150_000)).status).toBe('succeeded');
  const worker = env.workers[0]!;
  const left = await descendants(worker.child.pid!);
  const commands = await Promise.all(left.map((p) => readFile(`/proc/${p}/cmdline`, 'utf8').catch(() => '')));
  // The check can fail: the sandboxed child and its browser are there before the kill.
  expect(commands.some((c) => c.includes('bullmq')), 'a sandboxed step child').toBe(true);
  expect(commands.some((c) => /chrom/i.test(c)), 'its Chromium').toBe(true);
  worker.child.kill('SIGKILL');
  await worker.exited;
  await expect.poll(async () => (await Promise.all(left.map(alive))).filter(Boolean).length, { timeout: 20_000 }).toBe(0);
});
