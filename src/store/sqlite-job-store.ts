import type { Database, Statement } from 'better-sqlite3';
import { z } from 'zod';
import { SeatctlError } from '../errors/index.js';
import { jobRequestSchema, jobSchema, jobStatusSchema, taskSchema, type Job, type JobStatus, type Task } from '../model/index.js';
import { FIRST_AUDIT_SEQ, GENESIS_HASH, auditHash } from './audit-chain.js';
import { canonicalJson } from './canonical-json.js';
import type { AttemptRecord, AuditRecord, DecideResult, Decision, JobMeta, JobStore, ListFilter, NewDelivery, StoredJob } from './job-store.js';
import { decodeCursor, encodeCursor, pageLimit } from './list-paging.js';
import { deliveryInserter, sqliteDeliveryMethods } from './sqlite-deliveries.js';
import { sqliteLeaseMethods } from './sqlite-leases.js';
import { approvalReasonsSchema, asJsonData, attemptSchema, decisionSchema, groupByJob, listStatus, normalizeTime, checkStatusMove } from './store-values.js';
import { openSqliteFile } from './sqlite-file.js';
import { checkedForWrite, toAttempt, toAuditRecord, toStoredJob, type AttemptRow, type AuditRow, type DecisionRow, type JobRow, type StatusRow, type TaskRow } from './sqlite-rows.js';
import { personKey } from './sqlite-schema.js';

/**
 * The embedded default store: one SQLite file in the data dir (see sqlite-file.ts for
 * why WAL + synchronous=FULL). better-sqlite3 is synchronous, so every method has
 * committed (and fsynced) by the time its promise resolves, which is the JobStore
 * durability contract. Several handles on one file (the service and a CLI, or two
 * processes) are safe: every read-then-write runs in an IMMEDIATE transaction, which
 * takes the write lock before reading.
 */
export interface SqliteJobStoreOptions {
  file: string;
  /** Clock for updatedAt, audit times and unfinished(); tests pin it. */
  now?: () => Date;
}

export function createSqliteJobStore(options: SqliteJobStoreOptions): JobStore {
  const now = options.now ?? (() => new Date());
  const db = openSqliteFile(options.file);
  const sql = prepareStatements(db);

  const notFound = (jobId: string): SeatctlError =>
    new SeatctlError('INTERNAL', `job store: no job ${jobId}`, { details: { jobId } });

  /** Marks the job changed; the job must exist (the engine never writes for an unknown job). */
  const touch = (jobId: string): void => {
    if (sql.touchJob.run({ id: jobId, updatedAt: now().toISOString() }).changes === 0) throw notFound(jobId);
  };

  const readJob = (jobId: string): StoredJob | null => {
    const row = sql.jobById.get(jobId);
    return row ? toStoredJob(row, sql.tasksOfJob.all(jobId), sql.historyOfJob.all(jobId), sql.decisionsOfJob.all(jobId)) : null;
  };

  /** Many jobs, with their tasks and histories in one query each rather than one per job. */
  const readJobs = (rows: readonly JobRow[]): StoredJob[] => {
    if (rows.length === 0) return [];
    const ids = JSON.stringify(rows.map((r) => r.id));
    const tasks = groupByJob(sql.tasksOfJobs.all(ids));
    const history = groupByJob(sql.historyOfJobs.all(ids));
    const decisions = groupByJob(sql.decisionsOfJobs.all(ids));
    return rows.map((row) => toStoredJob(row, tasks.get(row.id) ?? [], history.get(row.id) ?? [], decisions.get(row.id) ?? []));
  };

  const create = db.transaction((job: Job, meta: JobMeta): { stored: StoredJob; created: boolean } => {
    if (meta.idempotencyKey !== undefined) {
      const existing = sql.jobIdByKey.get(meta.idempotencyKey);
      if (existing) return { stored: readJob(existing.id)!, created: false };
    }
    const valid = checkedForWrite(jobSchema, job, 'job', job.id);
    const request = checkedForWrite(jobRequestSchema, meta.request, 'request', job.id);
    const stray = valid.tasks.find((t) => t.jobId !== valid.id);
    if (stray) throw new SeatctlError('INTERNAL', `job store: task ${stray.id} names job ${stray.jobId}, not ${valid.id}`, { details: { jobId: valid.id } });
    if (sql.jobById.get(valid.id)) throw new SeatctlError('CONFLICT', `job store: job ${valid.id} already exists`, { details: { jobId: valid.id } });
    sql.insertJob.run({
      id: valid.id,
      kind: valid.kind,
      status: valid.status,
      dryRun: valid.dryRun ? 1 : 0,
      createdAt: valid.createdAt,
      finishedAt: valid.finishedAt,
      runAt: meta.runAt === undefined ? null : normalizeTime(meta.runAt, 'runAt'),
      idempotencyKey: meta.idempotencyKey ?? null,
      request: JSON.stringify(request),
      requestedBy: meta.requestedBy ?? null,
      updatedAt: now().toISOString(),
    });
    valid.tasks.forEach((task, position) => {
      sql.insertTask.run({ jobId: valid.id, id: task.id, position, status: task.status, task: JSON.stringify(task) });
      sql.insertPerson.run({ jobId: valid.id, email: personKey(task.subject.email) });
    });
    sql.insertHistory.run({ jobId: valid.id, status: valid.status, at: valid.createdAt });
    return { stored: readJob(valid.id)!, created: true };
  });

  const saveTask = db.transaction((task: Task): void => {
    const valid = checkedForWrite(taskSchema, task, `task ${task.id}`, task.jobId);
    touch(valid.jobId);
    sql.upsertTask.run({ jobId: valid.jobId, id: valid.id, status: valid.status, task: JSON.stringify(valid) });
    sql.insertPerson.run({ jobId: valid.jobId, email: personKey(valid.subject.email) });
  });

  const announce = deliveryInserter(db);

  const setStatus = db.transaction((jobId: string, status: JobStatus, finishedAt: string | null | undefined, messages: readonly NewDelivery[]): void => {
    const current = sql.statusOf.get(jobId);
    if (!current) throw notFound(jobId);
    checkStatusMove(jobId, current.status, status);
    const at = now().toISOString();
    if (current.status !== status) {
      sql.insertHistory.run({ jobId, status, at: finishedAt ?? at });
      announce(messages);
    }
    // finishedAt omitted: keep what is there (a status change is not always an ending).
    sql.setStatus.run({ id: jobId, status, setFinished: finishedAt === undefined ? 0 : 1, finishedAt: finishedAt ?? null, updatedAt: at });
  });

  const recordAttempt = db.transaction((jobId: string, attempt: AttemptRecord): void => {
    const valid = checkedForWrite(attemptSchema, attempt, 'attempt', jobId);
    touch(jobId);
    sql.insertAttempt.run({ jobId, taskId: valid.taskId, operation: valid.operation, phase: valid.phase, at: valid.at, detail: valid.detail ?? null });
  });

  const appendAudit = db.transaction((jobId: string, kind: string, data: unknown): AuditRecord => {
    touch(jobId);
    const last = sql.lastAudit.get(jobId);
    const seq = last ? last.seq + 1 : FIRST_AUDIT_SEQ;
    const prevHash = last?.hash ?? GENESIS_HASH;
    const at = now().toISOString();
    const stored = asJsonData(data, jobId);
    const hash = auditHash(prevHash, { seq, jobId, at, kind, data: stored });
    sql.insertAudit.run({ jobId, seq, at, kind, data: canonicalJson(stored), prevHash, hash });
    return { seq, jobId, at, kind, data: stored, hash, prevHash };
  });

  const decide = db.transaction((jobId: string, decision: Decision, messages: readonly NewDelivery[]): DecideResult => {
    const valid = checkedForWrite(decisionSchema, decision, 'decision', jobId);
    const row = sql.jobById.get(jobId);
    if (!row) throw notFound(jobId);
    if (row.status !== 'awaiting_approval') return { ok: false, refused: 'not_awaiting' };
    if (row.plan_hash !== valid.planHash) return { ok: false, refused: 'stale_hash' };
    if (row.approved_hash === valid.planHash) return { ok: false, refused: 'already_approved' };
    const args = { jobId, planHash: valid.planHash, by: valid.by, decision: valid.decision };
    if (sql.sameDecision.get(args)) return { ok: false, refused: 'duplicate' };
    sql.insertDecision.run({ ...args, reason: valid.reason, at: valid.at });
    const updatedAt = now().toISOString();
    let complete = true;
    if (valid.decision === 'reject') {
      sql.insertHistory.run({ jobId, status: 'cancelled', at: valid.at });
      announce(messages);
      sql.setStatus.run({ id: jobId, status: 'cancelled', setFinished: 1, finishedAt: valid.at, updatedAt });
    } else {
      complete = sql.approversOf.get({ jobId, planHash: valid.planHash })!.n >= Math.max(1, row.approvers_required);
      if (complete) sql.approve.run({ id: jobId, planHash: valid.planHash, by: valid.by, updatedAt });
      else touch(jobId);
    }
    return { ok: true, complete, stored: readJob(jobId)! };
  });

  const updateJob = (jobId: string, run: () => number): void => {
    if (run() === 0) throw notFound(jobId);
  };

  return {
    async create(job, meta) {
      // IMMEDIATE: the key lookup and the insert happen under one write lock, so two
      // processes submitting the same key cannot both miss it and both insert.
      return create.immediate(job, meta);
    },

    async get(jobId) {
      return readJob(jobId);
    },

    async list(filter: ListFilter) {
      const limit = pageLimit(filter.limit);
      const after = filter.cursor === undefined ? null : decodeCursor(filter.cursor);
      const status = filter.status === undefined ? null : listStatus(filter.status);
      // One extra row tells whether a next page exists without a COUNT.
      const position = { status, afterCreatedAt: after?.createdAt ?? null, afterId: after?.id ?? null, limit: limit + 1 };
      const rows = filter.email === undefined ? sql.listPage.all(position) : sql.listPageOfPerson.all({ ...position, email: personKey(filter.email) });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return { jobs: readJobs(page), nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null };
    },

    async setStatus(jobId: string, status: JobStatus, finishedAt?: string | null, messages: NewDelivery[] = []) {
      const valid = checkedForWrite(jobStatusSchema, status, 'status', jobId);
      setStatus.immediate(jobId, valid, finishedAt, messages);
    },

    async setPlan(jobId, planHash, approvalReasons, approversRequired = 1) {
      const reasons = checkedForWrite(approvalReasonsSchema, approvalReasons, 'approval reasons', jobId);
      const approvers = checkedForWrite(z.number().int().min(0), approversRequired, 'approvers required', jobId);
      // An earlier approval is kept: it still counts if the re-plan (e.g. after a restart)
      // hashes the same, and is void otherwise because approvedHash !== planHash.
      updateJob(jobId, () => sql.setPlan.run({ id: jobId, planHash, reasons: JSON.stringify(reasons), approvers, updatedAt: now().toISOString() }).changes);
    },

    async decide(jobId, decision, messages = []) {
      // IMMEDIATE: the checks, the count and the write happen under one write lock, so two
      // approvers at once (two processes, or the service and a CLI) cannot both complete.
      return decide.immediate(jobId, decision, messages);
    },

    async saveTask(task) {
      saveTask.immediate(task);
    },

    async recordAttempt(jobId, attempt) {
      recordAttempt.immediate(jobId, attempt);
    },

    async attempts(jobId) {
      return sql.attemptsOfJob.all(jobId).map((row) => toAttempt(row, jobId));
    },

    async appendAudit(jobId, kind, data) {
      // IMMEDIATE: reading the last hash and appending the next one must not interleave
      // with another writer, or two records would claim the same predecessor.
      return appendAudit.immediate(jobId, kind, data);
    },

    async audit(jobId) {
      return sql.auditOfJob.all(jobId).map(toAuditRecord);
    },

    async unfinished() {
      return readJobs(sql.unfinished.all(now().toISOString()));
    },

    async due(at: Date) {
      return readJobs(sql.due.all(at.toISOString()));
    },

    ...sqliteDeliveryMethods(db, now),
    ...sqliteLeaseMethods(db, now),

    async close() {
      if (db.open) db.close();
    },
  };
}

interface ListPage {
  status: string | null;
  afterCreatedAt: string | null;
  afterId: string | null;
  limit: number;
}

interface Statements {
  jobById: Statement<[string], JobRow>;
  jobIdByKey: Statement<[string], { id: string }>;
  tasksOfJob: Statement<[string], TaskRow>;
  tasksOfJobs: Statement<[string], TaskRow>;
  insertJob: Statement<[Record<string, string | number | null>]>;
  insertTask: Statement<[Record<string, string | number>]>;
  upsertTask: Statement<[Record<string, string>]>;
  touchJob: Statement<[{ id: string; updatedAt: string }]>;
  setStatus: Statement<[Record<string, string | number | null>]>;
  setPlan: Statement<[Record<string, string | number>]>;
  approve: Statement<[Record<string, string>]>;
  listPage: Statement<[ListPage], JobRow>;
  listPageOfPerson: Statement<[ListPage & { email: string }], JobRow>;
  insertPerson: Statement<[{ jobId: string; email: string }]>;
  insertHistory: Statement<[{ jobId: string; status: string; at: string }]>;
  historyOfJob: Statement<[string], StatusRow>;
  historyOfJobs: Statement<[string], StatusRow>;
  statusOf: Statement<[string], { status: string }>;
  decisionsOfJob: Statement<[string], DecisionRow>;
  decisionsOfJobs: Statement<[string], DecisionRow>;
  sameDecision: Statement<[Record<string, string>], { id: number }>;
  insertDecision: Statement<[Record<string, string | null>]>;
  approversOf: Statement<[{ jobId: string; planHash: string }], { n: number }>;
  insertAttempt: Statement<[Record<string, string | null>]>;
  attemptsOfJob: Statement<[string], AttemptRow>;
  lastAudit: Statement<[string], { seq: number; hash: string }>;
  insertAudit: Statement<[Record<string, string | number>]>;
  auditOfJob: Statement<[string], AuditRow>;
  unfinished: Statement<[string], JobRow>;
  due: Statement<[string], JobRow>;
}

function prepareStatements(db: Database): Statements {
  return {
    jobById: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    jobIdByKey: db.prepare('SELECT id FROM jobs WHERE idempotency_key = ?'),
    tasksOfJob: db.prepare('SELECT * FROM tasks WHERE job_id = ? ORDER BY position'),
    tasksOfJobs: db.prepare('SELECT * FROM tasks WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, position'),
    insertJob: db.prepare(`
      INSERT INTO jobs (id, kind, status, dry_run, created_at, finished_at, run_at, idempotency_key, request, requested_by, updated_at)
      VALUES (@id, @kind, @status, @dryRun, @createdAt, @finishedAt, @runAt, @idempotencyKey, @request, @requestedBy, @updatedAt)`),
    insertTask: db.prepare('INSERT INTO tasks (job_id, id, position, status, task) VALUES (@jobId, @id, @position, @status, @task)'),
    // A new task goes after the job's others; an existing one keeps its place.
    upsertTask: db.prepare(`
      INSERT INTO tasks (job_id, id, position, status, task)
      VALUES (@jobId, @id, (SELECT COALESCE(MAX(position), -1) + 1 FROM tasks WHERE job_id = @jobId), @status, @task)
      ON CONFLICT (job_id, id) DO UPDATE SET status = excluded.status, task = excluded.task`),
    touchJob: db.prepare('UPDATE jobs SET updated_at = @updatedAt WHERE id = @id'),
    setStatus: db.prepare(`
      UPDATE jobs SET status = @status, updated_at = @updatedAt,
        finished_at = CASE WHEN @setFinished = 1 THEN @finishedAt ELSE finished_at END
      WHERE id = @id`),
    setPlan: db.prepare('UPDATE jobs SET plan_hash = @planHash, approval_reasons = @reasons, approvers_required = @approvers, updated_at = @updatedAt WHERE id = @id'),
    approve: db.prepare('UPDATE jobs SET approved_hash = @planHash, approved_by = @by, updated_at = @updatedAt WHERE id = @id AND plan_hash = @planHash'),
    decisionsOfJob: db.prepare('SELECT * FROM decisions WHERE job_id = ? ORDER BY id'),
    decisionsOfJobs: db.prepare('SELECT * FROM decisions WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, id'),
    sameDecision: db.prepare('SELECT id FROM decisions WHERE job_id = @jobId AND plan_hash = @planHash AND decided_by = @by AND decision = @decision'),
    insertDecision: db.prepare(`
      INSERT INTO decisions (job_id, plan_hash, decided_by, decision, reason, at)
      VALUES (@jobId, @planHash, @by, @decision, @reason, @at)`),
    // Only approvals of this exact hash count: one of an earlier plan never does.
    approversOf: db.prepare("SELECT COUNT(DISTINCT decided_by) AS n FROM decisions WHERE job_id = @jobId AND plan_hash = @planHash AND decision = 'approve'"),
    listPage: db.prepare(`
      SELECT * FROM jobs
      WHERE (@status IS NULL OR status = @status)
        AND (@afterCreatedAt IS NULL OR (created_at, id) < (@afterCreatedAt, @afterId))
      ORDER BY created_at DESC, id DESC
      LIMIT @limit`),
    // Straight off job_people's primary key (email, created_at, job_id): a person's jobs, newest first.
    listPageOfPerson: db.prepare(`
      SELECT j.* FROM job_people p JOIN jobs j ON j.id = p.job_id
      WHERE p.email = @email
        AND (@status IS NULL OR j.status = @status)
        AND (@afterCreatedAt IS NULL OR (p.created_at, p.job_id) < (@afterCreatedAt, @afterId))
      ORDER BY p.created_at DESC, p.job_id DESC
      LIMIT @limit`),
    insertPerson: db.prepare('INSERT OR IGNORE INTO job_people (email, created_at, job_id) SELECT @email, created_at, id FROM jobs WHERE id = @jobId'),
    insertHistory: db.prepare('INSERT INTO job_status_history (job_id, status, at) VALUES (@jobId, @status, @at)'),
    historyOfJob: db.prepare('SELECT job_id, status, at FROM job_status_history WHERE job_id = ? ORDER BY id'),
    historyOfJobs: db.prepare('SELECT job_id, status, at FROM job_status_history WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY job_id, id'),
    statusOf: db.prepare('SELECT status FROM jobs WHERE id = ?'),
    insertAttempt: db.prepare(`
      INSERT INTO attempts (job_id, task_id, operation, phase, at, detail)
      VALUES (@jobId, @taskId, @operation, @phase, @at, @detail)`),
    attemptsOfJob: db.prepare('SELECT task_id, operation, phase, at, detail FROM attempts WHERE job_id = ? ORDER BY id'),
    lastAudit: db.prepare('SELECT seq, hash FROM audit WHERE job_id = ? ORDER BY seq DESC LIMIT 1'),
    insertAudit: db.prepare(`
      INSERT INTO audit (job_id, seq, at, kind, data, prev_hash, hash)
      VALUES (@jobId, @seq, @at, @kind, @data, @prevHash, @hash)`),
    auditOfJob: db.prepare('SELECT * FROM audit WHERE job_id = ? ORDER BY seq'),
    // Dry runs change nothing, so there is nothing to resume; a job awaiting approval waits for a person.
    unfinished: db.prepare(`
      SELECT * FROM jobs
      WHERE dry_run = 0 AND (status IN ('planning', 'running') OR (status = 'planned' AND (run_at IS NULL OR run_at <= ?)))
      ORDER BY created_at, id`),
    due: db.prepare(`
      SELECT * FROM jobs
      WHERE status = 'planned' AND run_at IS NOT NULL AND run_at <= ?
      ORDER BY run_at, created_at, id`),
  };
}
