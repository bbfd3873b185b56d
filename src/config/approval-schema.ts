import { z } from 'zod';

/**
 * When a person must approve a job before it acts. Defaults: permanent deletes always
 * need approval, and so does any job that would change more than 25 accounts (the
 * blast-radius cap: a roster mistake must not disable a whole company).
 */
export const approvalRuleSchema = z
  .object({
    app: z.string().min(1).optional().describe('only for this app (any app when absent)'),
    action: z.enum(['offboard', 'provision', 'set-role', 'delete']).optional().describe('only for this action (`delete` = offboard with mode delete)'),
  })
  .strict();

export const approvalsSchema = z
  .object({
    blastRadius: z.number().int().min(0).max(1_000_000).default(25).describe('a job that would change more accounts than this needs approval'),
    require: z.array(approvalRuleSchema).max(100).default([{ action: 'delete' }]).describe('app/action combinations that always need approval'),
  })
  .strict();

export type ApprovalsConfig = z.infer<typeof approvalsSchema>;
export const DEFAULT_APPROVALS: ApprovalsConfig = { blastRadius: 25, require: [{ action: 'delete' }] };
