import type { ApplyStepResult, TaskSteps } from '../../engine/task-steps.js';
import type { Logger } from '../../log/logger.js';
import type { JobStore } from '../../store/job-store.js';
import { withLease } from './lease.js';
import { taskLeaseKey, type StepData } from './names.js';

export interface StepContext {
  store: JobStore;
  steps: TaskSteps;
  /** This process's lease owner id. */
  owner: string;
  leaseMs: number;
  log: Logger;
}

/**
 * One step job, wherever it runs (in the worker process, or a sandboxed child for
 * console apps): under the task's store lease, on the task as the store has it now.
 * A step delivered again after it already ran finds the task past it and does nothing;
 * an apply that finds the task `running` reads the account back first (task-steps.ts).
 */
export async function runStep(ctx: StepContext, data: StepData): Promise<ApplyStepResult> {
  const key = taskLeaseKey(data.jobId, data.taskId);
  return withLease(ctx.store, key, ctx.owner, ctx.leaseMs, async () => {
    const stored = await ctx.store.get(data.jobId);
    const task = stored?.job.tasks.find((t) => t.id === data.taskId);
    if (!stored || !task) return 'done';
    if (data.step === 'plan') {
      if (task.status === 'pending' || task.status === 'planning') await ctx.steps.planStep(stored.job, task);
      return 'done';
    }
    return ctx.steps.applyStep(stored.job, task, { needsApproval: data.needsApproval });
  }, (lost) => ctx.log.error({ lease: lost }, 'lost the task lease while running its step'));
}
