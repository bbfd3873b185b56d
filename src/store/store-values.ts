import { z } from 'zod';
import { SeatctlError } from '../errors/index.js';
import { jobStatusSchema, type JobStatus } from '../model/index.js';

/**
 * Checks and conversions every JobStore backend applies the same way, so SQLite and
 * PostgreSQL refuse the same input with the same error and store the same values.
 */
export const attemptSchema = z.object({
  taskId: z.string(),
  operation: z.string(),
  phase: z.enum(['mutating', 'mutated']),
  at: z.string(),
  detail: z.string().optional(),
});
export const approvalReasonsSchema = z.array(z.string());
export const decisionSchema = z.object({
  planHash: z.string().min(1),
  by: z.string().min(1),
  decision: z.enum(['approve', 'reject']),
  reason: z.string().nullable(),
  at: z.string(),
});

/** Rows of many jobs, by job id, in query order. */
export function groupByJob<R extends { job_id: string }>(rows: readonly R[]): Map<string, R[]> {
  const byJob = new Map<string, R[]>();
  for (const row of rows) {
    const list = byJob.get(row.job_id) ?? [];
    list.push(row);
    byJob.set(row.job_id, list);
  }
  return byJob;
}

/** The filter comes from query strings: a wrong status is the caller's error, named as such. */
export function listStatus(status: string): JobStatus {
  const result = jobStatusSchema.safeParse(status);
  if (!result.success) throw new SeatctlError('USAGE', `status: must be one of ${jobStatusSchema.options.join(', ')}`, { details: { field: 'status' } });
  return result.data;
}

/** Stored times compare as text in SQL, so they must all have toISOString's shape. */
export function normalizeTime(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new SeatctlError('USAGE', `${field}: not a date-time: ${JSON.stringify(value)}`, { details: { field } });
  return time.toISOString();
}

/**
 * The data exactly as it will read back (undefined → null, Dates → strings…), so the
 * hash computed now is the hash a verifier computes from the stored record.
 */
export function asJsonData(data: unknown, jobId: string): unknown {
  try {
    const text = JSON.stringify(data);
    return text === undefined ? null : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new SeatctlError('INTERNAL', `job store: audit data for job ${jobId} is not JSON-serializable (${(err as Error).message})`, { details: { jobId }, cause: err });
  }
}

const FINISHED: ReadonlySet<string> = new Set<JobStatus>(['succeeded', 'failed', 'cancelled']);

/**
 * A finished job stays finished: a second run of it (two processes that both believed
 * they held it) must not move it back to running or planning, where nobody would ever
 * finish it again. Writing the same ending twice is allowed (both runs finish it).
 */
export function checkStatusMove(jobId: string, from: string, to: JobStatus): void {
  if (FINISHED.has(from) && from !== to) {
    throw new SeatctlError('CONFLICT', `job ${jobId} already finished as ${from}; it is not moved to ${to}`, { details: { jobId, status: from } });
  }
}
