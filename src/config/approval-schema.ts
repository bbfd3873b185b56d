import { z } from 'zod';

/** More than this many distinct approvers for one job is a typo, not a policy. */
export const MAX_APPROVERS = 10;
const approversSchema = z.number().int().min(1).max(MAX_APPROVERS);

/**
 * When a person must approve a job before it acts. Defaults: permanent deletes always
 * need approval, and so does any job that would change more than 25 accounts (the
 * blast-radius cap: a roster mistake must not disable a whole company).
 */
export const approvalRuleSchema = z
  .object({
    app: z.string().min(1).optional().describe('only for this app (any app when absent)'),
    action: z.enum(['offboard', 'provision', 'set-role', 'delete']).optional().describe('only for this action (`delete` = offboard with mode delete)'),
    approvers: approversSchema.optional().describe('how many distinct people (none of them the requester) must approve a job this rule trips; 1 when absent'),
  })
  .strict();

export const approvalsSchema = z
  .object({
    blastRadius: z.number().int().min(0).max(1_000_000).default(25).describe('a job that would change more accounts than this needs approval'),
    blastRadiusApprovers: approversSchema.default(1).describe('distinct approvers a job over the blast-radius cap needs'),
    require: z.array(approvalRuleSchema).max(100).default([{ action: 'delete' }]).describe('app/action combinations that always need approval'),
    allowSelfApproval: z
      .boolean()
      .default(false)
      .describe('let the person who requested a job approve (or reject) it too, e.g. a one-person IT team; off: the requester never counts as an approver'),
  })
  .strict();

export type ApprovalsConfig = z.infer<typeof approvalsSchema>;
export const DEFAULT_APPROVALS: ApprovalsConfig = { blastRadius: 25, blastRadiusApprovers: 1, require: [{ action: 'delete' }], allowSelfApproval: false };
