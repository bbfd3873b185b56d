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
  // Cursor movement is ours and goes raw; each task line holds app data and goes through io.stdout.
  const control = io.control?.stdout ?? io.stdout;
  return {
    onTask(_task, job) {
      if (drawn) control(`\x1b[${drawn}A`);
      for (const t of job.tasks) {
        control('\x1b[2K');
        io.stdout(`  ${taskLine(t)}\n`);
      }
      drawn = job.tasks.length;
    },
    done() {
      if (drawn) control(`\x1b[${drawn}A\x1b[J`);
      drawn = 0;
    },
  };
}
