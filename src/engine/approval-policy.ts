import type { ApprovalsConfig } from '../config/approval-schema.js';
import type { Job } from '../model/index.js';

/**
 * Why a planned job must wait for a person, or [] when it may run. Reasons are shown
 * to the approver, so they say what tripped.
 */
export function approvalReasons(job: Job, policy: ApprovalsConfig, requestedApproval: boolean): string[] {
  const reasons: string[] = [];
  if (requestedApproval) reasons.push('the request asked for approval');
  const changing = job.tasks.filter((t) => (t.plan?.operations.length ?? 0) > 0);
  if (changing.length > policy.blastRadius) reasons.push(`${changing.length} accounts would change (blast-radius cap ${policy.blastRadius})`);
  for (const t of changing) {
    const action = t.action === 'offboard' && t.params.mode === 'delete' ? 'delete' : t.action;
    const rule = policy.require.find((r) => (!r.app || r.app === t.app) && (!r.action || r.action === action));
    if (rule) reasons.push(`${action} in ${t.app} requires approval`);
  }
  return [...new Set(reasons)];
}
