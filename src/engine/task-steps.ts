import type { Job, Task } from '../model/index.js';
import type { JobStore } from '../store/job-store.js';
import { sameState } from './plan-hash.js';
import type { Runtime } from './runtime.js';
import { createTaskRunner, landed } from './task-runner.js';
import { notListedNote } from './apply-task.js';

/**
 * One task's plan or apply, as a unit of work another process can run: each step
 * reads what it needs from the task, writes every state change to the store (and the
 * audit chain) itself, and leaves the task as the store has it. The engine runs them
 * in-process by default; a shared queue runs them on any worker (src/queue/bullmq).
 */
export type ApplyStepResult =
  /** The task ended (succeeded, failed, or nothing to do). */
  | 'done'
  /** Its target changed since the approved plan: the task was planned again and waits for a new approval. */
  | 'replanned';

export interface TaskSteps {
  planStep(job: Job, task: Task): Promise<void>;
  /** `needsApproval`: the job's plan needed approval, so a changed target must be approved again. */
  applyStep(job: Job, task: Task, options: { needsApproval: boolean }): Promise<ApplyStepResult>;
}

export interface TaskStepsDeps {
  runtime: Runtime;
  store: JobStore;
  onTask?: ((task: Task, job: Job) => void) | undefined;
}

export function createTaskSteps(deps: TaskStepsDeps): TaskSteps {
  const { runtime, store } = deps;
  const runner = createTaskRunner(runtime);
  const audit = (jobId: string, kind: string, data: unknown) => store.appendAudit(jobId, kind, runtime.redactor.scrubDeep(data));
  const saveTask = async (task: Task, job: Job) => {
    await store.saveTask(task);
    deps.onTask?.(task, job);
  };

  return {
    async planStep(job, t) {
      // Stored before the reads go out, so a job followed from outside shows what is being planned now.
      Object.assign(t, { status: 'planning', startedAt: t.startedAt ?? new Date().toISOString() });
      await saveTask(t, job);
      await runner.plan(t);
      await saveTask(t, job);
    },

    async applyStep(job, t, { needsApproval }) {
      if (t.status !== 'planned' && t.status !== 'running') return 'done';
      if (!job.dryRun) {
        const current = await runner.read(t);
        // read() records a failed look-up on the task itself.
        if ((t.status as string) === 'failed') {
          await saveTask(t, job);
          return 'done';
        }
        const crashedMidMutation = t.status === 'running';
        if (crashedMidMutation && landed(t, current)) {
          // The change went out before the process died: record it, never resend it.
          Object.assign(t, { status: 'succeeded', outcome: 'changed', after: current, finishedAt: new Date().toISOString(), detail: t.plan?.summary ?? '' });
          const lastOp = t.plan?.operations.at(-1);
          t.notes = [...t.notes, 'the process stopped after sending this change; confirmed by reading the account back on resume', ...(current || !lastOp ? [] : [notListedNote(lastOp, t.subject.email)])];
          await audit(job.id, 'recovered', { task: t.id });
          await saveTask(t, job);
          return 'done';
        }
        if (!crashedMidMutation && !sameState(current, t.plan?.before ?? null)) {
          // Never act on a target that changed after it was planned (and approved).
          await audit(job.id, 'replanned', { task: t.id, reason: 'state changed since the plan' });
          t.status = 'pending';
          await runner.plan(t);
          await saveTask(t, job);
          if (needsApproval) return 'replanned';
          if ((t.status as string) !== 'planned') return 'done';
        }
      }
      await runner.apply(t, job.dryRun, {
        beforeMutation: async (task) => {
          task.status = 'running';
          await saveTask(task, job);
          await store.recordAttempt(job.id, { taskId: task.id, operation: (task.plan?.operations ?? []).join('+'), phase: 'mutating', at: new Date().toISOString() });
        },
        afterMutation: async (task) => {
          await store.recordAttempt(job.id, { taskId: task.id, operation: (task.plan?.operations ?? []).join('+'), phase: 'mutated', at: new Date().toISOString() });
        },
      });
      await saveTask(t, job);
      await audit(job.id, 'task', { task: t.id, app: t.app, outcome: t.outcome, error: t.error?.code ?? null, evidence: t.evidence.filter((e) => 'sha256' in e).map((e) => ('sha256' in e ? { path: e.path, sha256: e.sha256 } : null)) });
      return 'done';
    },
  };
}
