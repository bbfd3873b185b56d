import type { Logger } from '../../log/logger.js';
import type { JobStore } from '../../store/job-store.js';
import { withLease } from './lease.js';
import { jobLeaseKey } from './names.js';

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * One orchestration job: the engine's process() for a stored job, under its store
 * lease, so a run BullMQ delivers twice (a stalled lock) never runs beside the first.
 * A job that waits for a person is left alone: the approval enqueues its next run.
 */
export async function runJob(deps: { store: JobStore; owner: string; leaseMs: number; log: Logger; process: (jobId: string) => Promise<unknown> }, jobId: string): Promise<void> {
  const stored = await deps.store.get(jobId);
  if (!stored || TERMINAL.has(stored.job.status)) return;
  if (stored.job.status === 'awaiting_approval' && stored.approvedHash !== stored.planHash) return;
  try {
    await withLease(deps.store, jobLeaseKey(jobId), deps.owner, deps.leaseMs, () => deps.process(jobId), (lost) => deps.log.error({ lease: lost }, 'lost the job lease while running it'));
  } catch (err) {
    // Another run finished it first (the store refuses to move a finished job back): nothing is left to do.
    const now = await deps.store.get(jobId);
    if (now && TERMINAL.has(now.job.status)) {
      deps.log.warn({ job: jobId, status: now.job.status, err: (err as Error).message }, 'a second run of a finished job stopped');
      return;
    }
    throw err;
  }
}
