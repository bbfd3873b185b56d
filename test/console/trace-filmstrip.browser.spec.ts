import { expect, test } from '@playwright/test';
import { unzipSync, strFromU8 } from 'fflate';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../../src/model/index.js';
import { startSimEnv } from '../support/sim-env.js';
import { describeTask, taskFor } from './console-truth.js';

/**
 * browser.traceFilmstrip: a task's traces carry the screencast (frames at every paint)
 * only when asked; by default they keep their DOM snapshots and actions, and the step
 * screenshots stay the visual evidence. Read from the stored trace zips themselves.
 */
async function traceEvents(dataDir: string, job: Job): Promise<{ traces: number; frames: number; snapshots: number; actions: number }> {
  const task = taskFor(job, 'stitch');
  const zips = task.evidence.flatMap((e) => (e.kind === 'trace' && 'path' in e ? [e.path] : []));
  let frames = 0;
  let snapshots = 0;
  let actions = 0;
  for (const zip of zips) {
    const entries = unzipSync(new Uint8Array(await readFile(path.join(dataDir, 'jobs', job.id, task.id, zip))));
    for (const [name, data] of Object.entries(entries)) {
      if (!name.endsWith('.trace')) continue;
      for (const line of strFromU8(data).split('\n')) {
        if (line.includes('"type":"screencast-frame"')) frames += 1;
        if (line.includes('"type":"frame-snapshot"')) snapshots += 1;
        if (line.includes('"type":"before"')) actions += 1;
      }
    }
  }
  return { traces: zips.length, frames, snapshots, actions };
}

for (const filmstrip of [false, true]) {
  test(`traceFilmstrip ${filmstrip}: ${filmstrip ? 'the traces carry screencast frames' : 'no screencast frames, DOM snapshots and actions kept'}`, async () => {
    test.setTimeout(120_000);
    const env = await startSimEnv(['stitch'], { users: 4, config: filmstrip ? { browser: { traceFilmstrip: true } } : {} });
    try {
      expect(env.config.browser.traceFilmstrip).toBe(filmstrip);
      const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] });
      expect(taskFor(job, 'stitch').outcome, describeTask(taskFor(job, 'stitch'))).toBe('changed');
      const seen = await traceEvents(env.config.dataDir, job);
      expect(seen.traces).toBeGreaterThan(0);
      expect(seen.actions).toBeGreaterThan(0);
      expect(seen.snapshots).toBeGreaterThan(0);
      if (filmstrip) expect(seen.frames).toBeGreaterThan(0);
      else expect(seen.frames).toBe(0);
    } finally {
      await env.close();
    }
  });
}
