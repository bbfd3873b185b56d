import type { StoredJob } from '../store/job-store.js';

/**
 * Where a job stands with its approvers, as the API, `jobs show`, the report and the
 * web console show it: who approved (or rejected) which plan hash, and how many
 * approvals of the current plan are still missing. Approvals of an earlier plan are
 * listed but never count.
 */
export interface ApprovalState {
  required: boolean;
  /** Distinct approvers the current plan needs (0 when none). */
  approvers: number;
  /** Approvals of the current plan still missing (0 when approved or not required). */
  needed: number;
  approvals: { by: string; at: string; planHash: string }[];
  rejection: { by: string; at: string; planHash: string; reason: string } | null;
}

export function approvalState(stored: StoredJob): ApprovalState {
  const required = stored.approvalReasons.length > 0;
  const approvers = required ? Math.max(1, stored.approversRequired) : 0;
  const approvals = stored.decisions.filter((d) => d.decision === 'approve').map((d) => ({ by: d.by, at: d.at, planHash: d.planHash }));
  const counted = new Set(approvals.filter((a) => a.planHash === stored.planHash).map((a) => a.by)).size;
  const approved = stored.planHash !== null && stored.approvedHash === stored.planHash;
  const rejected = stored.decisions.findLast((d) => d.decision === 'reject');
  return {
    required,
    approvers,
    needed: !required || approved || rejected ? 0 : Math.max(0, approvers - counted),
    approvals,
    rejection: rejected ? { by: rejected.by, at: rejected.at, planHash: rejected.planHash, reason: rejected.reason ?? '' } : null,
  };
}

/** One line for people: "approved by a, b", "1 of 2 approvals (by a); 1 more needed", "rejected by c: why". */
export function approvalSummary(state: ApprovalState, planHash: string | null): string {
  if (state.rejection) return `rejected by ${state.rejection.by} at ${state.rejection.at}: ${state.rejection.reason}`;
  const current = state.approvals.filter((a) => a.planHash === planHash).map((a) => a.by);
  if (state.needed === 0 && current.length) return `approved by ${current.join(', ')}`;
  const have = current.length ? ` (by ${current.join(', ')})` : '';
  return `REQUIRED: ${current.length} of ${state.approvers} approval(s)${have}; ${state.needed} more needed`;
}
