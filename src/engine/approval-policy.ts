import type { ApprovalsConfig } from '../config/approval-schema.js';
import type { Job } from '../model/index.js';
import { jobKind } from './job-kinds/index.js';

export interface ApprovalRequirement {
  /** Why a planned job must wait for a person, or [] when it may run. Shown to the approver, so they say what tripped. */
  reasons: string[];
  /** Distinct approvers needed: the largest count among what tripped; 0 when none is needed. */
  approvers: number;
}

/** What a planned job needs before it may act, under this policy. */
export function approvalRequirement(job: Job, policy: ApprovalsConfig, requestedApproval: boolean): ApprovalRequirement {
  const reasons: string[] = [];
  let approvers = 0;
  const trip = (reason: string, count: number) => {
    reasons.push(reason);
    approvers = Math.max(approvers, count);
  };
  if (requestedApproval) trip('the request asked for approval', 1);
  const changing = job.tasks.filter((t) => (t.plan?.operations.length ?? 0) > 0);
  if (changing.length > policy.blastRadius) trip(`${changing.length} accounts would change (blast-radius cap ${policy.blastRadius})`, policy.blastRadiusApprovers);
  for (const t of changing) {
    const action = t.action === 'offboard' && t.params.mode === 'delete' ? 'delete' : t.action;
    const rule = policy.require.find((r) => (!r.app || r.app === t.app) && (!r.action || r.action === action));
    if (rule) trip(`${action} in ${t.app} requires approval`, rule.approvers ?? 1);
  }
  return { reasons: [...new Set(reasons)], approvers };
}

/**
 * Whether the requester's own "yes" at a terminal may release the job: only when the
 * policy itself needs nobody (the job waits because they asked to see the plan first),
 * or when the team allows self-approval. Never for a reversal, which always waits for a
 * person other than the one who asked for it.
 */
export function requesterMayConfirm(job: Job, policy: ApprovalsConfig): boolean {
  if (policy.allowSelfApproval) return true;
  return jobKind(job.kind).requesterMayConfirm && approvalRequirement(job, policy, false).approvers === 0;
}
