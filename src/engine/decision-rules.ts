import type { ApprovalsConfig } from '../config/approval-schema.js';
import { SeatctlError } from '../errors/index.js';
import type { DecideResult, Decision, StoredJob } from '../store/job-store.js';

/**
 * Separation of duties: whoever asked for a job never decides on it (approve or reject),
 * unless the team allows it. Checked by the engine, so HTTP, the web console and the CLI
 * all get the same rule.
 */
export function refuseRequester(stored: StoredJob, by: string, act: 'approve' | 'reject', policy: ApprovalsConfig): void {
  if (stored.meta.requestedBy !== by || policy.allowSelfApproval) return;
  const instead = act === 'approve' ? 'another person with the approver role must approve it' : 'withdraw it with cancel instead';
  throw new SeatctlError('SELF_APPROVAL', `${by} requested job ${stored.job.id} and may not ${act} it: ${instead} (separation of duties; approvals.allowSelfApproval is off)`, {
    details: { jobId: stored.job.id, by },
  });
}

/** Why the store did not record a decision, as the error the caller sees (409). */
export function decisionRefused(jobId: string, stored: StoredJob, decision: Omit<Decision, 'at'>, refused: Extract<DecideResult, { ok: false }>['refused']): SeatctlError {
  const field = { details: { field: 'planHash' } };
  switch (refused) {
    case 'stale_hash':
      return new SeatctlError('CONFLICT', `plan hash does not match job ${jobId}'s current plan (${stored.planHash}); review the plan again`, field);
    case 'duplicate':
      return new SeatctlError('CONFLICT', `${decision.by} already approved this plan of job ${jobId}; another approver is needed`, field);
    case 'already_approved':
      return new SeatctlError('CONFLICT', `job ${jobId} already has the approvals it needs`);
    case 'not_awaiting':
      return new SeatctlError('CONFLICT', `job ${jobId} is not awaiting approval`);
  }
}
