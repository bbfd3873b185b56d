import type { Job, JobRequest, JobStatus, Task } from '../model/index.js';

/**
 * Where jobs live between (and across) processes. A small interface so the embedded
 * SQLite store and a later Redis-backed multi-worker store are interchangeable; one
 * conformance suite (test/store/) runs against every implementation.
 *
 * Writes are synchronous-durable: when a method's promise resolves, the change
 * survives `kill -9`. The engine relies on that to write a task's intent before an
 * external mutation and its result after.
 */
export interface JobMeta {
  request: JobRequest;
  /** Same key, same job: a retried HTTP submit never creates a second job. */
  idempotencyKey?: string | undefined;
  /** ISO time; the job waits (status planned) until then. */
  runAt?: string | undefined;
  /** Who asked: "cli:<user>" or "api:<token name>". */
  requestedBy?: string | undefined;
}

export interface StoredJob {
  job: Job;
  meta: JobMeta;
  /** SHA-256 over the plan (tasks and the states read); null until planned. */
  planHash: string | null;
  /** The plan hash a person approved, or null. */
  approvedHash: string | null;
  approvedBy: string | null;
  /** Why approval is needed (empty when it is not). */
  approvalReasons: string[];
  /** Distinct approvers (never the requester) the current plan needs; meaningful when approvalReasons is not empty. */
  approversRequired: number;
  /** Every approval and rejection, in the order they were recorded, for any plan hash. */
  decisions: Decision[];
  updatedAt: string;
}

/** A person's approval or rejection of one plan hash. */
export interface Decision {
  planHash: string;
  /** A principal id (`token:alice`, `cli:bob`, …). */
  by: string;
  decision: 'approve' | 'reject';
  /** Why it was rejected; null for an approval. */
  reason: string | null;
  at: string;
}

/**
 * What `decide` did. `complete` is true for exactly one decision per plan hash: the
 * approval that reached the required count (the job is approved from then on), or the
 * rejection (the job is cancelled). Only that caller starts or closes the job.
 */
export type DecideResult =
  | { ok: true; complete: boolean; stored: StoredJob }
  | {
      ok: false;
      refused: /** the job is not awaiting approval */ | 'not_awaiting'
        /** the hash is not the job's current plan hash */ | 'stale_hash'
        /** this principal already approved this plan hash */ | 'duplicate'
        /** enough approvals are in; the job is about to run */ | 'already_approved';
    };

export type TaskPhase =
  /** About to send a mutation: after a crash in this phase the app must be read back first. */
  | 'mutating'
  /** The mutation's result is recorded. */
  | 'mutated';

export interface AttemptRecord {
  taskId: string;
  operation: string;
  phase: TaskPhase;
  at: string;
  detail?: string;
}

export interface AuditRecord {
  seq: number;
  jobId: string;
  at: string;
  kind: string;
  data: unknown;
  /** SHA-256 of the previous record's hash + this record's canonical JSON. */
  hash: string;
  prevHash: string;
}

export interface ListFilter {
  status?: JobStatus | undefined;
  /** Opaque; from a previous page's nextCursor. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface JobStore {
  /** Inserts the job, or returns the existing one with the same idempotency key (created: false). */
  create(job: Job, meta: JobMeta): Promise<{ stored: StoredJob; created: boolean }>;
  get(jobId: string): Promise<StoredJob | null>;
  /** Newest first. */
  list(filter: ListFilter): Promise<{ jobs: StoredJob[]; nextCursor: string | null }>;
  setStatus(jobId: string, status: JobStatus, finishedAt?: string | null): Promise<void>;
  /** approversRequired: distinct approvers the plan needs (1 when omitted). */
  setPlan(jobId: string, planHash: string, approvalReasons: string[], approversRequired?: number): Promise<void>;
  /**
   * Records an approval or rejection of exactly this plan hash, atomically with the
   * checks (awaiting approval, current hash, not already approved, not twice by the same
   * principal) and with its effect: the approval that makes the count sets approvedHash,
   * a rejection sets the job `cancelled`. Two approvers at once: one completes, never both.
   * The caller checks who may decide (the requester may not); the store only counts.
   */
  decide(jobId: string, decision: Decision): Promise<DecideResult>;
  /** Upserts the whole task (status, outcome, plan, after, evidence index…). */
  saveTask(task: Task): Promise<void>;
  recordAttempt(jobId: string, attempt: AttemptRecord): Promise<void>;
  attempts(jobId: string): Promise<AttemptRecord[]>;
  /** Appends to the job's hash chain and returns the record. */
  appendAudit(jobId: string, kind: string, data: unknown): Promise<AuditRecord>;
  audit(jobId: string): Promise<AuditRecord[]>;
  /** Jobs that were running (or planned and due) when the process stopped. */
  unfinished(): Promise<StoredJob[]>;
  /** Scheduled jobs whose runAt has come. */
  due(now: Date): Promise<StoredJob[]>;
  close(): Promise<void>;
}
