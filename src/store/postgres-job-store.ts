import type pg from 'pg';
import { z } from 'zod';
import { SeatctlError } from '../errors/index.js';
import { jobRequestSchema, jobSchema, jobStatusSchema, taskSchema, type JobStatus } from '../model/index.js';
import { FIRST_AUDIT_SEQ, GENESIS_HASH, auditHash } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';
import type { AuditRecord, JobStore, ListFilter, StoredJob } from './job-store.js';
import { decodeCursor, encodeCursor, pageLimit } from './list-paging.js';
import { insertDeliveries, postgresDeliveryMethods } from './postgres-deliveries.js';
import { postgresLeaseMethods } from './postgres-leases.js';
import { inTransaction } from './postgres-connection.js';
import { createStorePool, storeError, type Queryable } from './postgres-pool.js';
import { DEFAULT_PG_SCHEMA, migratePostgres } from './postgres-schema.js';
import { checkedForWrite, toAttempt, toAuditRecord, toStoredJob, type AttemptRow, type AuditRow, type DecisionRow, type JobRow, type StatusRow, type TaskRow } from './sqlite-rows.js';
import { personKey } from './sqlite-schema.js';
import { approvalReasonsSchema, asJsonData, attemptSchema, decisionSchema, groupByJob, listStatus, normalizeTime, checkStatusMove } from './store-values.js';

/**
 * The JobStore for several processes on several machines: PostgreSQL, same semantics as
 * the SQLite store method for method (one conformance suite runs against both). Where
 * SQLite takes the file's write lock (IMMEDIATE), this takes a row lock on the job
 * (`SELECT … FOR NO KEY UPDATE`, or the UPDATE that touches it) at the start of the
 * transaction: writers of one job take turns, writers of different jobs do not wait for
 * each other. NO KEY UPDATE rather than UPDATE: it excludes the other writers just the
 * same, but not the foreign-key checks of rows being added for the job elsewhere. A method's promise resolves after COMMIT, so the change is durable (with
 * the server's default synchronous_commit).
 */
export interface PostgresJobStoreOptions {
  /** postgres://… The caller resolved it from a secret reference; it is never logged nor put in an error. */
  url: string;
  /** Where the tables live; created if absent. Default `seatctl`. */
  schema?: string;
  /** Clock for updatedAt, audit times, leases and unfinished(); tests pin it. */
  now?: () => Date;
  /** Connections in the pool (default 10). */
  poolSize?: number;
}

/** Opens the pool and brings the schema up to date (see migratePostgres) before returning. */
export async function createPostgresJobStore(options: PostgresJobStoreOptions): Promise<JobStore> {
  const schema = options.schema ?? DEFAULT_PG_SCHEMA;
  const pool = createStorePool(options.url, schema, options.poolSize);
  try {
    await migratePostgres(pool, schema);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw storeError(err, options.url);
  }
  return withStoreErrors(postgresStore(pool, options.now ?? (() => new Date())), options.url);
}

/** Every method's failure goes through storeError: the URL never leaves the store. */
function withStoreErrors(store: JobStore, url: string): JobStore {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } catch (err) {
        throw storeError(err, url);
      }
    };
  }
  return wrapped as unknown as JobStore;
}

const UNFINISHED = `dry_run = 0 AND (status IN ('planning', 'running') OR (status = 'planned' AND (run_at IS NULL OR run_at <= $1)))`;

function postgresStore(pool: pg.Pool, now: () => Date): JobStore {
  let closed = false;

  const notFound = (jobId: string): SeatctlError => new SeatctlError('INTERNAL', `job store: no job ${jobId}`, { details: { jobId } });

  /**
   * Marks the job changed; the job must exist. Inside a transaction the UPDATE also
   * row-locks the job until COMMIT: what serializes appends to its audit chain.
   */
  const touch = async (db: Queryable, jobId: string): Promise<void> => {
    const result = await db.query('UPDATE jobs SET updated_at = $2 WHERE id = $1', [jobId, now().toISOString()]);
    if (result.rowCount === 0) throw notFound(jobId);
  };

  const readJob = async (db: Queryable, jobId: string): Promise<StoredJob | null> => {
    const { rows } = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [jobId]);
    return rows[0] ? (await readJobs(db, rows))[0]! : null;
  };

  /** Many jobs, with their tasks, histories and decisions in one query each. */
  const readJobs = async (db: Queryable, rows: readonly JobRow[]): Promise<StoredJob[]> => {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const tasks = groupByJob((await db.query<TaskRow>('SELECT * FROM tasks WHERE job_id = ANY($1::text[]) ORDER BY job_id, position', [ids])).rows);
    const history = groupByJob((await db.query<StatusRow>('SELECT job_id, status, at FROM job_status_history WHERE job_id = ANY($1::text[]) ORDER BY job_id, id', [ids])).rows);
    const decisions = groupByJob((await db.query<DecisionRow>('SELECT * FROM decisions WHERE job_id = ANY($1::text[]) ORDER BY job_id, id', [ids])).rows);
    return rows.map((row) => toStoredJob(row, tasks.get(row.id) ?? [], history.get(row.id) ?? [], decisions.get(row.id) ?? []));
  };

  const insertPerson = (db: Queryable, jobId: string, email: string) =>
    db.query('INSERT INTO job_people (email, created_at, job_id) SELECT $1, created_at, id FROM jobs WHERE id = $2 ON CONFLICT DO NOTHING', [personKey(email), jobId]);
  const insertHistory = (db: Queryable, jobId: string, status: string, at: string) => db.query('INSERT INTO job_status_history (job_id, status, at) VALUES ($1, $2, $3)', [jobId, status, at]);
  const updateStatus = (db: Queryable, jobId: string, status: string, finishedAt: string | null | undefined, updatedAt: string) =>
    // finishedAt omitted: keep what is there (a status change is not always an ending).
    db.query('UPDATE jobs SET status = $2, updated_at = $5, finished_at = CASE WHEN $3 THEN $4 ELSE finished_at END WHERE id = $1', [jobId, status, finishedAt !== undefined, finishedAt ?? null, updatedAt]);

  const existingByKey = async (db: Queryable, key: string): Promise<StoredJob | null> => {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM jobs WHERE idempotency_key = $1', [key]);
    return rows[0] ? readJob(db, rows[0].id) : null;
  };

  return {
    async create(job, meta) {
      return inTransaction(pool, async (db) => {
        if (meta.idempotencyKey !== undefined) {
          const existing = await existingByKey(db, meta.idempotencyKey);
          if (existing) return { stored: existing, created: false };
        }
        const valid = checkedForWrite(jobSchema, job, 'job', job.id);
        const request = checkedForWrite(jobRequestSchema, meta.request, 'request', job.id);
        const stray = valid.tasks.find((t) => t.jobId !== valid.id);
        if (stray) throw new SeatctlError('INTERNAL', `job store: task ${stray.id} names job ${stray.jobId}, not ${valid.id}`, { details: { jobId: valid.id } });
        const runAt = meta.runAt === undefined ? null : normalizeTime(meta.runAt, 'runAt');
        // ON CONFLICT DO NOTHING covers both unique keys. A concurrent insert of the same
        // idempotency key waits here for the other transaction, then finds its row: two
        // submits at once from two processes make one job, and the loser returns it.
        const inserted = await db.query(
          `INSERT INTO jobs (id, kind, status, dry_run, created_at, finished_at, run_at, idempotency_key, request, requested_by, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT DO NOTHING`,
          [valid.id, valid.kind, valid.status, valid.dryRun ? 1 : 0, valid.createdAt, valid.finishedAt, runAt, meta.idempotencyKey ?? null, JSON.stringify(request), meta.requestedBy ?? null, now().toISOString()],
        );
        if (inserted.rowCount === 0) {
          const existing = meta.idempotencyKey === undefined ? null : await existingByKey(db, meta.idempotencyKey);
          if (existing) return { stored: existing, created: false };
          throw new SeatctlError('CONFLICT', `job store: job ${valid.id} already exists`, { details: { jobId: valid.id } });
        }
        for (const [position, task] of valid.tasks.entries()) {
          await db.query('INSERT INTO tasks (job_id, id, position, status, task) VALUES ($1, $2, $3, $4, $5)', [valid.id, task.id, position, task.status, JSON.stringify(task)]);
          await insertPerson(db, valid.id, task.subject.email);
        }
        await insertHistory(db, valid.id, valid.status, valid.createdAt);
        return { stored: (await readJob(db, valid.id))!, created: true };
      });
    },

    async get(jobId) {
      return readJob(pool, jobId);
    },

    async list(filter: ListFilter) {
      const limit = pageLimit(filter.limit);
      const after = filter.cursor === undefined ? null : decodeCursor(filter.cursor);
      const status = filter.status === undefined ? null : listStatus(filter.status);
      // One extra row tells whether a next page exists without a COUNT.
      const params = [status, after?.createdAt ?? null, after?.id ?? null, limit + 1];
      const { rows } =
        filter.email === undefined
          ? await pool.query<JobRow>(
              `SELECT * FROM jobs
               WHERE ($1::text IS NULL OR status = $1)
                 AND ($2::text IS NULL OR (created_at, id) < ($2::text, $3::text))
               ORDER BY created_at DESC, id DESC
               LIMIT $4`,
              params,
            )
          : await pool.query<JobRow>(
              `SELECT j.* FROM job_people p JOIN jobs j ON j.id = p.job_id
               WHERE p.email = $5
                 AND ($1::text IS NULL OR j.status = $1)
                 AND ($2::text IS NULL OR (p.created_at, p.job_id) < ($2::text, $3::text))
               ORDER BY p.created_at DESC, p.job_id DESC
               LIMIT $4`,
              [...params, personKey(filter.email)],
            );
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { jobs: await readJobs(pool, page), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null };
    },

    async setStatus(jobId: string, status: JobStatus, finishedAt?: string | null, messages = []) {
      const valid = checkedForWrite(jobStatusSchema, status, 'status', jobId);
      await inTransaction(pool, async (db) => {
        const { rows } = await db.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1 FOR NO KEY UPDATE', [jobId]);
        if (!rows[0]) throw notFound(jobId);
        checkStatusMove(jobId, rows[0].status, valid);
        const at = now().toISOString();
        if (rows[0].status !== valid) {
          await insertHistory(db, jobId, valid, finishedAt ?? at);
          await insertDeliveries(db, messages);
        }
        await updateStatus(db, jobId, valid, finishedAt, at);
      });
    },

    async setPlan(jobId, planHash, approvalReasons, approversRequired = 1) {
      const reasons = checkedForWrite(approvalReasonsSchema, approvalReasons, 'approval reasons', jobId);
      const approvers = checkedForWrite(z.number().int().min(0), approversRequired, 'approvers required', jobId);
      // An earlier approval is kept: it still counts if the re-plan hashes the same.
      const result = await pool.query('UPDATE jobs SET plan_hash = $2, approval_reasons = $3, approvers_required = $4, updated_at = $5 WHERE id = $1', [
        jobId,
        planHash,
        JSON.stringify(reasons),
        approvers,
        now().toISOString(),
      ]);
      if (result.rowCount === 0) throw notFound(jobId);
    },

    async decide(jobId, decision, messages = []) {
      const valid = checkedForWrite(decisionSchema, decision, 'decision', jobId);
      // The job row stays locked from the checks to COMMIT: two approvers at once (two
      // processes) take turns, and the second sees the first's decision and count.
      return inTransaction(pool, async (db) => {
        const { rows } = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1 FOR NO KEY UPDATE', [jobId]);
        const row = rows[0];
        if (!row) throw notFound(jobId);
        if (row.status !== 'awaiting_approval') return { ok: false, refused: 'not_awaiting' } as const;
        if (row.plan_hash !== valid.planHash) return { ok: false, refused: 'stale_hash' } as const;
        if (row.approved_hash === valid.planHash) return { ok: false, refused: 'already_approved' } as const;
        const same = await db.query('SELECT 1 FROM decisions WHERE job_id = $1 AND plan_hash = $2 AND decided_by = $3 AND decision = $4', [jobId, valid.planHash, valid.by, valid.decision]);
        if (same.rowCount) return { ok: false, refused: 'duplicate' } as const;
        await db.query('INSERT INTO decisions (job_id, plan_hash, decided_by, decision, reason, at) VALUES ($1, $2, $3, $4, $5, $6)', [jobId, valid.planHash, valid.by, valid.decision, valid.reason, valid.at]);
        const updatedAt = now().toISOString();
        let complete = true;
        if (valid.decision === 'reject') {
          await insertHistory(db, jobId, 'cancelled', valid.at);
          await insertDeliveries(db, messages);
          await updateStatus(db, jobId, 'cancelled', valid.at, updatedAt);
        } else {
          // Only approvals of this exact hash count: one of an earlier plan never does.
          const count = await db.query<{ n: number }>("SELECT COUNT(DISTINCT decided_by)::int AS n FROM decisions WHERE job_id = $1 AND plan_hash = $2 AND decision = 'approve'", [jobId, valid.planHash]);
          complete = count.rows[0]!.n >= Math.max(1, row.approvers_required);
          if (complete) await db.query('UPDATE jobs SET approved_hash = $2, approved_by = $3, updated_at = $4 WHERE id = $1 AND plan_hash = $2', [jobId, valid.planHash, valid.by, updatedAt]);
          else await touch(db, jobId);
        }
        return { ok: true, complete, stored: (await readJob(db, jobId))! };
      });
    },

    async saveTask(task) {
      const valid = checkedForWrite(taskSchema, task, `task ${task.id}`, task.jobId);
      await inTransaction(pool, async (db) => {
        await touch(db, valid.jobId);
        // A new task goes after the job's others; an existing one keeps its place.
        await db.query(
          `INSERT INTO tasks (job_id, id, position, status, task)
           VALUES ($1, $2, (SELECT COALESCE(MAX(position), -1) + 1 FROM tasks WHERE job_id = $1), $3, $4)
           ON CONFLICT (job_id, id) DO UPDATE SET status = EXCLUDED.status, task = EXCLUDED.task`,
          [valid.jobId, valid.id, valid.status, JSON.stringify(valid)],
        );
        await insertPerson(db, valid.jobId, valid.subject.email);
      });
    },

    async recordAttempt(jobId, attempt) {
      const valid = checkedForWrite(attemptSchema, attempt, 'attempt', jobId);
      await inTransaction(pool, async (db) => {
        await touch(db, jobId);
        await db.query('INSERT INTO attempts (job_id, task_id, operation, phase, at, detail) VALUES ($1, $2, $3, $4, $5, $6)', [jobId, valid.taskId, valid.operation, valid.phase, valid.at, valid.detail ?? null]);
      });
    },

    async attempts(jobId) {
      const { rows } = await pool.query<AttemptRow>('SELECT task_id, operation, phase, at, detail FROM attempts WHERE job_id = $1 ORDER BY id', [jobId]);
      return rows.map((row) => toAttempt(row, jobId));
    },

    async appendAudit(jobId, kind, data) {
      const stored = asJsonData(data, jobId);
      return inTransaction(pool, async (db): Promise<AuditRecord> => {
        // touch() row-locks the job first: reading the last hash and appending the next
        // happen while no other process can append to this job, so the chain never forks
        // (and the (job_id, seq) key would refuse a fork if it were ever attempted).
        await touch(db, jobId);
        const { rows } = await db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit WHERE job_id = $1 ORDER BY seq DESC LIMIT 1', [jobId]);
        const last = rows[0];
        const seq = last ? last.seq + 1 : FIRST_AUDIT_SEQ;
        const prevHash = last?.hash ?? GENESIS_HASH;
        const at = now().toISOString();
        const hash = auditHash(prevHash, { seq, jobId, at, kind, data: stored });
        await db.query('INSERT INTO audit (job_id, seq, at, kind, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [jobId, seq, at, kind, canonicalJson(stored), prevHash, hash]);
        return { seq, jobId, at, kind, data: stored, hash, prevHash };
      });
    },

    async audit(jobId) {
      const { rows } = await pool.query<AuditRow>('SELECT * FROM audit WHERE job_id = $1 ORDER BY seq', [jobId]);
      return rows.map(toAuditRecord);
    },

    async unfinished() {
      const { rows } = await pool.query<JobRow>(`SELECT * FROM jobs WHERE ${UNFINISHED} ORDER BY created_at, id`, [now().toISOString()]);
      return readJobs(pool, rows);
    },

    async due(at: Date) {
      const { rows } = await pool.query<JobRow>("SELECT * FROM jobs WHERE status = 'planned' AND run_at IS NOT NULL AND run_at <= $1 ORDER BY run_at, created_at, id", [at.toISOString()]);
      return readJobs(pool, rows);
    },

    ...postgresDeliveryMethods(pool, now),
    ...postgresLeaseMethods(pool, now),

    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
