import { z } from 'zod';
import { offboardModeSchema } from './task.js';

/**
 * What a person or a system asks for, validated before anything is queued. One
 * schema per request kind, shared by the CLI and the HTTP service. Unknown fields
 * are refused: a typo in a field name must not silently become a default.
 */
/** One address as every request and filter takes it. */
export const emailSchema = z.email({ message: 'must be an email address' }).max(320);
const email = emailSchema;

/** When a scheduled job is to run: ISO 8601 with a zone, since a bare local time means different instants on the CLI's machine and the service's. */
export const runAtSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' });
const appName = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'app names are lower-case letters, digits and dashes');
const role = z.string().min(1).max(200);
const name = z.string().trim().min(1).max(200);
const appsSelection = z.union([z.literal('all'), z.array(appName).min(1).max(100)]).default('all');

/**
 * One person (`email`, with `apps`), or several at once (`people`, each with the apps
 * where their access goes: what an access review's orphan list turns into). Exactly
 * one of the two; `buildJob` enforces that with the field named.
 */
export const offboardTargetSchema = z.object({ email, apps: z.array(appName).min(1).max(100) }).strict();

export const offboardRequestSchema = z
  .object({
    kind: z.literal('offboard'),
    email: email.optional(),
    people: z.array(offboardTargetSchema).min(1).max(1000).optional(),
    apps: appsSelection,
    mode: offboardModeSchema.default('deactivate'),
    /**
     * Hand the leaver's documents to this person before the account is deactivated
     * (Sigma: documents and folders). Every selected app must have a driver that can.
     */
    transferTo: email.optional(),
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

/** HR's roster for reconciliation, sent inline (the CLI reads it from a file). */
export const rosterColumnsSchema = z
  .object({ email: z.string(), name: z.string(), status: z.string(), terminationDate: z.string(), manager: z.string() })
  .partial()
  .strict();
const rosterColumnNames = rosterColumnsSchema.refine((c) => Object.values(c).every((v) => typeof v === 'string' && v.trim().length > 0 && v.length <= 100), 'column names are 1 to 100 characters');

/**
 * An access review: list every account of the selected apps, optionally reconciled
 * against a roster. Reads only; when `offboardOrphans` is set, the orphans found
 * become one offboarding job that is planned and approved like any other.
 */
const inlineRosterSchema = z.object({ csv: z.string().min(1).max(8_000_000), columns: rosterColumnNames.optional(), source: z.string().min(1).max(200).optional() }).strict();

/**
 * A submitted roster as the store keeps it: the CSV itself is written once, to the
 * job's folder as `roster.csv`, and the job row and its `created` audit record carry
 * only its SHA-256 and size (so the hash chain covers the file and `jobs verify`
 * catches an edit). Never accepted from a client: the file name is fixed.
 */
export const storedRosterSchema = z
  .object({
    file: z.literal('roster.csv'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character hex SHA-256'),
    bytes: z.number().int().min(1),
    columns: rosterColumnNames.optional(),
    source: z.string().min(1).max(200).optional(),
  })
  .strict();
export type StoredRoster = z.infer<typeof storedRosterSchema>;

export const reviewRequestSchema = z
  .object({
    kind: z.literal('review'),
    apps: appsSelection,
    includeInactive: z.boolean().default(false),
    roster: inlineRosterSchema.optional(),
    offboardOrphans: z.boolean().default(false),
  })
  .strict();

/** A review as stored: its roster inline (never written so by seatctl itself) or as the job's roster.csv. */
export const storedReviewRequestSchema = reviewRequestSchema.extend({ roster: z.union([inlineRosterSchema, storedRosterSchema]).optional() }).strict();

export const jobRequestSchema = z.discriminatedUnion('kind', [offboardRequestSchema, provisionRequestSchema, setRoleRequestSchema, undoRequestSchema, storedReviewRequestSchema]);
/** Requests that name their own apps and people and change accounts (everything but undo and review). */
export const actionRequestSchema = z.discriminatedUnion('kind', [offboardRequestSchema, provisionRequestSchema, setRoleRequestSchema]);
export type JobRequest = z.infer<typeof jobRequestSchema>;
/** A request that names its own apps and people and changes accounts. */
export type ActionRequest = Exclude<JobRequest, { kind: 'undo' | 'review' }>;
export type ReviewRequest = z.infer<typeof reviewRequestSchema>;
export type StoredReviewRequest = z.infer<typeof storedReviewRequestSchema>;
/** A request that may change accounts: approvals and dry runs apply to it. */
export type ChangeRequest = Exclude<JobRequest, { kind: 'review' }>;
export type JobRequestInput = z.input<typeof jobRequestSchema>;
