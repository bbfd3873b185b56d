import { jobDocument } from '../cli/render-job.js';
import type { StoredJob } from '../store/index.js';

/** The job as the API and `--json` show it, with its plan hash and approval state. */
export function storedJobDocument(stored: StoredJob, dataDir: string) {
  const doc = jobDocument(stored.job, dataDir);
  return {
    job: {
      ...doc.job,
      planHash: stored.planHash,
      approval: {
        required: stored.approvalReasons.length > 0,
        reasons: stored.approvalReasons,
        approvedHash: stored.approvedHash,
        approvedBy: stored.approvedBy,
      },
      idempotencyKey: stored.meta.idempotencyKey ?? null,
      runAt: stored.meta.runAt ?? null,
      tasks: doc.job.tasks.map((t, i) => ({ ...t, plan: stored.job.tasks[i]?.plan ? { operations: stored.job.tasks[i]!.plan!.operations, summary: stored.job.tasks[i]!.plan!.summary } : null })),
    },
  };
}
