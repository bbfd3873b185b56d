import { z } from 'zod';
import { emailSchema, jobStatusSchema, runAtSchema, offboardRequestSchema, provisionRequestSchema, reviewRequestSchema, setRoleRequestSchema } from '../model/index.js';

/**
 * POST /v1/jobs: a job request plus how to run it. Unknown fields are refused, like
 * everywhere else: a typo must never turn into a default.
 */
/** Prefixes of keys seatctl gives its own jobs (an orphan offboarding is keyed `review-orphans:<review id>`). */
export const RESERVED_KEY_PREFIXES = ['review-orphans:'] as const;

/**
 * One rule for the key in the body and in the `Idempotency-Key` header: printable, bounded,
 * and outside seatctl's own namespace, so a client cannot claim (and so block or read back)
 * the job a review will create.
 */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces')
  .refine((k) => !RESERVED_KEY_PREFIXES.some((p) => k.startsWith(p)), `keys starting with ${RESERVED_KEY_PREFIXES.join(', ')} are seatctl's own`);

const runOptions = {
  idempotencyKey: idempotencyKeySchema.optional(),
  runAt: runAtSchema.optional(),
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


export const listQuerySchema = z
  .object({
    status: jobStatusSchema.optional(),
    /** Jobs about this person: an exact address, compared case-insensitively. */
    email: emailSchema.optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const undoBodySchema = z.object({ dryRun: z.boolean().default(false) }).strict();
