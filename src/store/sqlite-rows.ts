import { z } from 'zod';
import { formatIssues } from '../config/format-issues.js';
import { SeatctlError } from '../errors/index.js';
import { jobRequestSchema, jobSchema, jobStatusSchema } from '../model/index.js';
import type { AttemptRecord, AuditRecord, Decision, JobMeta, StatusChange, StoredJob } from './job-store.js';

/**
 * Rows as SQLite returns them, and their conversion to the model. Everything read is
 * validated against the same schemas the rest of seatctl uses: a row edited by hand or
 * damaged on disk surfaces as a typed error naming the job, not as a half-valid object
 * deep inside the engine.
 */
export interface JobRow {
  id: string;
  kind: string;
  status: string;
  dry_run: number;
  created_at: string;
  finished_at: string | null;
  run_at: string | null;
  idempotency_key: string | null;
  request: string;
  requested_by: string | null;
  plan_hash: string | null;
  approved_hash: string | null;
  approved_by: string | null;
  approval_reasons: string;
  approvers_required: number;
  updated_at: string;
}

export interface DecisionRow {
  job_id: string;
  plan_hash: string;
  decided_by: string;
  decision: string;
  reason: string | null;
  at: string;
}

export interface TaskRow {
  job_id: string;
  id: string;
  position: number;
  status: string;
  task: string;
}

export interface StatusRow {
  job_id: string;
  status: string;
  at: string;
}

export interface AttemptRow {
  task_id: string;
  operation: string;
  phase: string;
  at: string;
  detail: string | null;
}

export interface AuditRow {
  job_id: string;
  seq: number;
  at: string;
  kind: string;
  data: string;
  prev_hash: string;
  hash: string;
}

const approvalReasonsSchema = z.array(z.string());
const phaseSchema = z.enum(['mutating', 'mutated']);
const decisionSchema = z.enum(['approve', 'reject']);

export function corrupt(where: string, jobId: string, problem: string, cause?: unknown): SeatctlError {
  return new SeatctlError('INTERNAL', `job store: ${where} of job ${jobId} is damaged (${problem})`, {
    details: { jobId, where },
    ...(cause === undefined ? {} : { cause }),
  });
}

function parseJson(text: string, where: string, jobId: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw corrupt(where, jobId, 'not JSON', err);
  }
}

function validated<T>(schema: z.ZodType<T>, value: unknown, where: string, jobId: string): T {
  const result = schema.safeParse(value);
  if (!result.success) throw corrupt(where, jobId, formatIssues(result.error.issues.slice(0, 1)), result.error);
  return result.data;
}

export function toStoredJob(row: JobRow, taskRows: readonly TaskRow[], statusRows: readonly StatusRow[], decisionRows: readonly DecisionRow[]): StoredJob {
  const tasks = taskRows.map((t) => parseJson(t.task, `task ${t.id}`, row.id));
  const job = validated(
    jobSchema,
    { id: row.id, kind: row.kind, status: row.status, dryRun: row.dry_run === 1, createdAt: row.created_at, finishedAt: row.finished_at, tasks },
    'job record',
    row.id,
  );
  const meta: JobMeta = { request: validated(jobRequestSchema, parseJson(row.request, 'request', row.id), 'request', row.id) };
  // Absent stays absent (not `undefined` keys), so a stored job compares equal to what was given.
  if (row.idempotency_key !== null) meta.idempotencyKey = row.idempotency_key;
  if (row.run_at !== null) meta.runAt = row.run_at;
  if (row.requested_by !== null) meta.requestedBy = row.requested_by;
  return {
    job,
    meta,
    planHash: row.plan_hash,
    approvedHash: row.approved_hash,
    approvedBy: row.approved_by,
    approvalReasons: validated(approvalReasonsSchema, parseJson(row.approval_reasons, 'approval reasons', row.id), 'approval reasons', row.id),
    approversRequired: row.approvers_required,
    decisions: decisionRows.map((d) => toDecision(d)),
    updatedAt: row.updated_at,
    statusHistory: statusRows.map((r): StatusChange => ({ status: validated(jobStatusSchema, r.status, 'status history', row.id), at: r.at })),
  };
}

export function toDecision(row: DecisionRow): Decision {
  return { planHash: row.plan_hash, by: row.decided_by, decision: validated(decisionSchema, row.decision, 'decision', row.job_id), reason: row.reason, at: row.at };
}

export function toAttempt(row: AttemptRow, jobId: string): AttemptRecord {
  return {
    taskId: row.task_id,
    operation: row.operation,
    phase: validated(phaseSchema, row.phase, 'attempt phase', jobId),
    at: row.at,
    ...(row.detail === null ? {} : { detail: row.detail }),
  };
}

export function toAuditRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    jobId: row.job_id,
    at: row.at,
    kind: row.kind,
    data: parseJson(row.data, `audit record ${row.seq}`, row.job_id),
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}

/** Refuses, before writing, what could not be read back: the write-side twin of the checks above. */
export function checkedForWrite<T>(schema: z.ZodType<T>, value: unknown, what: string, jobId: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new SeatctlError('INTERNAL', `job store: refusing to store an invalid ${what} for job ${jobId} (${formatIssues(result.error.issues.slice(0, 1))})`, {
      details: { jobId, what },
      cause: result.error,
    });
  }
  return result.data;
}
