import type { LoadedConfig } from '../config/load-config.js';
import type { ActionRequest, Job } from '../model/index.js';
import { actionKind, requestApps } from './job-kinds/index.js';
import { jobFromTargets } from './job-kinds/task-targets.js';

export { newId } from './new-id.js';
export { requestApps };

/**
 * A change request becomes a job without a store: one task per app (per person and app
 * for a multi-person offboarding), as its kind's handler lays them out.
 */
export function buildJob(request: ActionRequest, config: LoadedConfig): Job {
  return jobFromTargets(request.kind, request.dryRun, actionKind(request.kind).targets(request, config));
}
