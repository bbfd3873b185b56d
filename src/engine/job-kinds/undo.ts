import type { JobRequest } from '../../model/index.js';
import { buildUndoJob } from '../build-undo-job.js';
import type { JobKindHandler } from './job-kind.js';

type UndoRequest = Extract<JobRequest, { kind: 'undo' }>;

/**
 * A reversal of a finished job (build-undo-job.ts), planned and applied like any change.
 * It always waits for a person other than the one who asked for it, and is not itself undone.
 */
export const undoKind: JobKindHandler<UndoRequest> = {
  kind: 'undo',
  async build(request, ctx) {
    const original = await ctx.get(request.jobId);
    const { job, skipped } = buildUndoJob(original.job, request.dryRun);
    if (skipped.length) for (const t of job.tasks) t.notes.push(...skipped);
    return { job, request };
  },
  requesterMayConfirm: false,
  undoable: false,
};
