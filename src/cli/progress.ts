import type { Job, Task } from '../model/index.js';
import type { CliIO } from './io.js';
import { taskLine } from './render-job.js';

/**
 * Live per-task progress in a terminal: the task table is redrawn in place. Without
 * a TTY (or with --json) nothing is drawn; the final summary says it all.
 */
export function createProgress(io: CliIO, enabled: boolean): { onTask(task: Task, job: Job): void; done(): void } {
  let drawn = 0;
  if (!enabled || !io.isTTY) return { onTask() {}, done() {} };
  return {
    onTask(_task, job) {
      if (drawn) io.stdout(`\x1b[${drawn}A`);
      for (const t of job.tasks) io.stdout(`\x1b[2K  ${taskLine(t)}\n`);
      drawn = job.tasks.length;
    },
    done() {
      if (drawn) io.stdout(`\x1b[${drawn}A\x1b[J`);
      drawn = 0;
    },
  };
}
