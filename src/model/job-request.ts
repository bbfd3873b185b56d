import { z } from 'zod';
import { offboardModeSchema } from './task.js';

/**
 * What a person or a system asks for, validated before anything is queued. One
 * schema per request kind, shared by the CLI and the HTTP service. Unknown fields
 * are refused: a typo in a field name must not silently become a default.
 */
const email = z.email({ message: 'must be an email address' }).max(320);
const appName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'app names are lower-case letters, digits and dashes');
const role = z.string().min(1).max(200);
const name = z.string().trim().min(1).max(200);
const appsSelection = z.union([z.literal('all'), z.array(appName).min(1).max(100)]).default('all');

export const offboardRequestSchema = z
  .object({
    kind: z.literal('offboard'),
    email,
    apps: appsSelection,
    mode: offboardModeSchema.default('deactivate'),
    dryRun: z.boolean().default(false),
    requireApproval: z.boolean().default(false),
  })
  .strict();

export const provisionRequestSchema = z
  .object({
    kind: z.literal('provision'),
    email,
    firstName: name,
    lastName: name,
    /** app → role; names the apps too. */
    roles: z.record(appName, role).refine((r) => Object.keys(r).length > 0, 'give at least one app=Role'),
    teams: z.record(appName, z.array(z.string().min(1).max(200)).max(50)).optional(),
    dryRun: z.boolean().default(false),
    requireApproval: z.boolean().default(false),
  })
  .strict();

export const setRoleRequestSchema = z
  .object({
    kind: z.literal('set-role'),
    email,
    roles: z.record(appName, role).refine((r) => Object.keys(r).length > 0, 'give at least one app=Role'),
    dryRun: z.boolean().default(false),
    requireApproval: z.boolean().default(false),
  })
  .strict();

/** A reversal of an earlier job, built from the before-states its plan recorded. */
export const undoRequestSchema = z
  .object({
    kind: z.literal('undo'),
    jobId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'a job id'),
    dryRun: z.boolean().default(false),
    requireApproval: z.boolean().default(false),
  })
  .strict();

export const jobRequestSchema = z.discriminatedUnion('kind', [offboardRequestSchema, provisionRequestSchema, setRoleRequestSchema, undoRequestSchema]);
/** Requests that name their own apps and people (everything but an undo). */
export const actionRequestSchema = z.discriminatedUnion('kind', [offboardRequestSchema, provisionRequestSchema, setRoleRequestSchema]);
export type JobRequest = z.infer<typeof jobRequestSchema>;
/** A request that names its own apps and people (everything but an undo). */
export type ActionRequest = Exclude<JobRequest, { kind: 'undo' }>;
export type JobRequestInput = z.input<typeof jobRequestSchema>;
