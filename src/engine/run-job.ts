import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Job, Task } from '../model/index.js';
import type { Runtime } from './runtime.js';
import { createTaskRunner } from './task-runner.js';
import { jobDir } from '../audit/job-folder.js';
import { writePrivateFile } from '../fs/private-files.js';

export interface RunJobOptions {
  /** Called whenever a task changes state: live progress in a TTY, events in the service. */
  onTask?: (task: Task, job: Job) => void;
  signal?: AbortSignal;
}

/**
 * Plans and applies a job in one go, in memory (tests, replay, one-shot runs). Tasks
 * are independent: one app failing never stops another app's offboarding, because a
 * half-revoked person is better than a fully unrevoked one.
 */
export async function runJob(job: Job, runtime: Runtime, options: RunJobOptions = {}): Promise<Job> {
  const dir = jobDir(runtime.config.dataDir, job.id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  job.status = 'running';
  const runner = createTaskRunner(runtime, { signal: options.signal });
  const emit = (task: Task) => options.onTask?.(task, job);

  await Promise.all(
    job.tasks.map(async (task) => {
      emit(task);
      await runner.plan(task);
      emit(task);
      if (task.status === 'planned') await runner.apply(task, job.dryRun);
      emit(task);
    }),
  );

  job.status = finalStatus(job);
  job.finishedAt = new Date().toISOString();
  await writePrivateFile(path.join(dir, 'job.json'), JSON.stringify(runtime.redactor.scrubDeep(job), null, 2));
  return job;
}

export function finalStatus(job: Job): Job['status'] {
  return job.tasks.some((t) => t.outcome === 'failed') ? 'failed' : job.dryRun ? 'planned' : 'succeeded';
}
