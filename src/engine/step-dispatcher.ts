import type { Job, Task } from '../model/index.js';
import type { ApplyStepResult, TaskSteps } from './task-steps.js';

/**
 * Where the engine's task steps run. The default runs them in this process; the
 * BullMQ dispatcher (src/queue/bullmq) sends each to its app's shared queue, waits for
 * it, and reloads the task from the store into `task`, so the engine goes on with the
 * same in-memory job either way.
 */
export interface StepDispatcher {
  plan(job: Job, task: Task): Promise<void>;
  apply(job: Job, task: Task, options: { needsApproval: boolean }): Promise<ApplyStepResult>;
  /**
   * True when steps run elsewhere: their store writes happen in another process, so the
   * engine reports the task (onTask) itself once the step is back.
   */
  readonly remote: boolean;
}

export function localDispatcher(steps: TaskSteps): StepDispatcher {
  return {
    remote: false,
    plan: (job, task) => steps.planStep(job, task),
    apply: (job, task, options) => steps.applyStep(job, task, options),
  };
}
