import { z } from 'zod';
import { offboardRequestSchema, provisionRequestSchema, reviewRequestSchema, setRoleRequestSchema } from '../model/index.js';

/**
 * POST /v1/jobs: a job request plus how to run it. Unknown fields are refused, like
 * everywhere else: a typo must never turn into a default.
 */
const runOptions = {
  idempotencyKey: z.string().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces').optional(),
  runAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' }).optional(),
};

export const createJobBodySchema = z.discriminatedUnion('kind', [
  offboardRequestSchema.extend(runOptions).strict(),
  provisionRequestSchema.extend(runOptions).strict(),
  setRoleRequestSchema.extend(runOptions).strict(),
  reviewRequestSchema.extend(runOptions).strict(),
]);

/** Job bodies are small, except a review's inline roster (8 MB of CSV is ~100,000 people). */
export const JOB_BODY_LIMIT = 64 * 1024;
export const REVIEW_BODY_LIMIT = 9 * 1024 * 1024;

export const approveBodySchema = z.object({ planHash: z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character hex SHA-256') }).strict();

export const listQuerySchema = z
  .object({
    status: z.enum(['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled']).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const undoBodySchema = z.object({ dryRun: z.boolean().default(false) }).strict();
