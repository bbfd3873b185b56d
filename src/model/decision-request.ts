import { z } from 'zod';

const planHashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character hex SHA-256');

/**
 * What a person sends to approve or reject a plan, however they send it (HTTP body,
 * CLI flags, console form): the plan hash they reviewed, and for a rejection why.
 */
export const approveBodySchema = z.object({ planHash: planHashSchema }).strict();

/** A rejection names the plan it refuses and says why; the reason goes into the audit chain and the report. */
export const rejectBodySchema = z
  .object({
    planHash: planHashSchema,
    reason: z.string().trim().min(1, 'say why the plan is rejected').max(1000).describe('why the plan is rejected; shown to the requester and kept in the audit chain'),
  })
  .strict();
