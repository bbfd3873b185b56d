import type { StepDispatcher } from '../../engine/step-dispatcher.js';
import type { ApplyStepResult } from '../../engine/task-steps.js';
import { SeatctlError } from '../../errors/index.js';
import type { Job, Task } from '../../model/index.js';
import type { JobStore } from '../../store/job-store.js';
import type { BullmqQueues } from './bullmq-queues.js';
import { STEP_PRIORITY, stepJobId, type StepData } from './names.js';

/**
 * Task steps through the app's shared queue: any worker takes them, within the app's
 * global concurrency and rate limit. The step itself writes the task to the store; here
 * we wait for it and copy the stored task back into the engine's in-memory job.
 */
export function bullmqDispatcher(queues: BullmqQueues, store: JobStore): StepDispatcher {
  const recheckMs = Math.max(2_000, queues.settings.lockDurationMs);

  async function dispatch(job: Job, task: Task, step: StepData['step'], needsApproval: boolean): Promise<unknown> {
    const stage = (await store.get(job.id))?.statusHistory.length ?? 0;
    const data: StepData = { jobId: job.id, taskId: task.id, step, needsApproval };
    const id = stepJobId(data, stage);
    const queue = queues.stepQueue(task.app);
    const events = await queues.stepEvents(task.app);
    for (;;) {
      const state = await queue.getJobState(id);
      // A step that gave up earlier (its attempts spent) is started afresh by this run.
      if (state === 'failed') await queue.remove(id);
      const added = await queue.add(step, data, {
        jobId: id,
        priority: STEP_PRIORITY[step],
        // A held task lease (its previous owner died) frees itself within one lock duration.
        attempts: 50,
        backoff: { type: 'fixed', delay: Math.max(500, Math.floor(queues.settings.lockDurationMs / 10)) },
        // Kept a while so a re-dispatch after a crash gets this result instead of a rerun.
        removeOnComplete: { age: 3600 },
        removeOnFail: { age: 3600 },
      });
      try {
        // Bounded so a lost event (Redis restarted, stream trimmed) costs one recheck, not the job.
        return await added.waitUntilFinished(events, recheckMs);
      } catch (err) {
        const message = (err as Error).message;
        if (/timed out before finishing/.test(message)) continue;
        throw new SeatctlError('INTERNAL', `${task.app} ${step} step for ${job.id}/${task.id} failed in the worker: ${message}`, { details: { job: job.id, task: task.id } });
      }
    }
  }

  async function reload(job: Job, task: Task): Promise<void> {
    const fresh = (await store.get(job.id))?.job.tasks.find((t) => t.id === task.id);
    if (fresh) Object.assign(task, fresh);
  }

  return {
    remote: true,
    async plan(job, task) {
      await dispatch(job, task, 'plan', false);
      await reload(job, task);
    },
    async apply(job, task, { needsApproval }) {
      const result = await dispatch(job, task, 'apply', needsApproval);
      await reload(job, task);
      return (result === 'replanned' ? 'replanned' : 'done') satisfies ApplyStepResult;
    },
  };
}
