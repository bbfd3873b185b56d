/**
 * Queue names and job ids. BullMQ refuses ':' in both (it separates Redis key parts),
 * so the deployment prefix is BullMQ's own `prefix` option and names use '.'.
 */
export const JOBS_QUEUE = 'jobs';

/** One queue per app: its global concurrency and rate limit are the app's. */
export const stepQueueName = (app: string): string => `app.${app}`;

export type StepKind = 'plan' | 'apply';

export interface StepData {
  jobId: string;
  taskId: string;
  step: StepKind;
  needsApproval: boolean;
}

export interface RunData {
  jobId: string;
}

/**
 * Deterministic per job stage: a step dispatched again after a crash (same stage) finds
 * the one already queued or running instead of adding a second; a later stage (the
 * apply after a re-approval) gets a new id. `stage` is the job's statusHistory length.
 */
export const stepJobId = (d: Pick<StepData, 'jobId' | 'taskId' | 'step'>, stage: number): string => `${d.jobId}.${d.taskId}.${d.step}.${stage}`;

/** A job's run, per stage: a run still finishing must not swallow the one after an approval. */
export const runJobId = (jobId: string, stage: number): string => `${jobId}.${stage}`;

/** Store lease keys (JobStore.claimLease). */
export const jobLeaseKey = (jobId: string): string => `job:${jobId}`;
export const taskLeaseKey = (jobId: string, taskId: string): string => `task:${jobId}/${taskId}`;

/** Applies are taken before plan reads (BullMQ: 1 is the highest priority). */
export const STEP_PRIORITY: Record<StepKind, number> = { apply: 1, plan: 10 };
