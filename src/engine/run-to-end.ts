import type { ApprovalsConfig } from '../config/approval-schema.js';
import { SeatctlError } from '../errors/index.js';
import type { Job, JobRequest, Task } from '../model/index.js';
import { openJobStore } from '../store/index.js';
import { createJobEngine } from './job-engine.js';
import type { Runtime } from './runtime.js';

/** A policy under which no job waits for a person: for tests and benchmarks, whose requests a person wrote. */
export const NO_APPROVAL_GATE: ApprovalsConfig = { blastRadius: Number.MAX_SAFE_INTEGER, blastRadiusApprovers: 1, require: [], allowSelfApproval: false };

export interface RunToEndOptions {
  approvals: ApprovalsConfig;
  /** Called whenever a task changes state (the engine's onTask). */
  onTask?: (task: Task, job: Job) => void;
}

/**
 * Submits a request and processes it at once through the job engine — the one
 * executor — with the job stored in the runtime's data dir like any other. For tests
 * and benchmarks that want a finished job back; a job the policy holds for approval is
 * an error here, since nobody is there to approve it.
 */
export async function runToEnd(runtime: Runtime, request: JobRequest, options: RunToEndOptions): Promise<Job> {
  const store = await openJobStore(runtime.config);
  try {
    const engine = createJobEngine({ runtime, store, approvals: options.approvals, ...(options.onTask ? { onTask: options.onTask } : {}) });
    const { stored } = await engine.submit(request);
    const done = await engine.process(stored.job.id);
    if (done.job.status === 'awaiting_approval') throw new SeatctlError('CONFLICT', `job ${done.job.id} is waiting for approval (${done.approvalReasons.join('; ')})`);
    return done.job;
  } finally {
    await store.close();
  }
}
