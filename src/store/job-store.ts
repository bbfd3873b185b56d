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
  /**
   * Every status the job has had, oldest first, with when it took it (the first is
   * its status at creation, at createdAt): where startedAt and the time spent
   * awaiting approval come from (src/engine/job-timing.ts).
   */
  statusHistory: StatusChange[];
}

export interface StatusChange {
  status: JobStatus;
  at: string;
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
  /** Only jobs with a task for this person (exact address, case-insensitive). */
  email?: string | undefined;
  /** Opaque; from a previous page's nextCursor. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

/**
 * One webhook message to one receiver (the notification outbox). `id` is the
 * Standard Webhooks `webhook-id`: the same on every retry, so a receiver dedupes by it.
 * The body is kept exactly as it will be sent (no secrets in it); the URL and secret
 * are looked up in the config by `webhook` name at send time, never stored.
 */
export interface NewDelivery {
  id: string;
  webhook: string;
  jobId: string;
  /** The job status that triggered it (awaiting_approval, succeeded, …). */
  event: string;
  body: string;
  createdAt: string;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery extends NewDelivery {
  status: DeliveryStatus;
  /** Sends started so far (a claim counts one, so a crash mid-send is counted too). */
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  settledAt: string | null;
}

export type DeliverySettlement =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: string; error: string }
  | { status: 'failed'; error: string };

export interface JobStore {
  /** Inserts the job, or returns the existing one with the same idempotency key (created: false). */
  create(job: Job, meta: JobMeta): Promise<{ stored: StoredJob; created: boolean }>;
  get(jobId: string): Promise<StoredJob | null>;
  /** Newest first. */
  list(filter: ListFilter): Promise<{ jobs: StoredJob[]; nextCursor: string | null }>;
  /**
   * A change of status is also appended to statusHistory, at finishedAt when given, else
   * now. `announce` (webhook messages about this change) is stored in the same
   * transaction, and only when the status really changes: the outbox never misses a
   * change that was stored, nor repeats one written twice.
   */
  setStatus(jobId: string, status: JobStatus, finishedAt?: string | null, announce?: NewDelivery[]): Promise<void>;
  /** approversRequired: distinct approvers the plan needs (1 when omitted). */
  setPlan(jobId: string, planHash: string, approvalReasons: string[], approversRequired?: number): Promise<void>;
  /**
   * Records an approval or rejection of exactly this plan hash, atomically with the
   * checks (awaiting approval, current hash, not already approved, not twice by the same
   * principal) and with its effect: the approval that makes the count sets approvedHash,
   * a rejection sets the job `cancelled`. Two approvers at once: one completes, never both.
   * The caller checks who may decide (the requester may not); the store only counts.
   * `announce` is stored with a rejection that went through (it cancels the job).
   */
  decide(jobId: string, decision: Decision, announce?: NewDelivery[]): Promise<DecideResult>;
  /** Upserts the whole task (status, outcome, plan, after, evidence index…). */
  saveTask(task: Task): Promise<void>;
  recordAttempt(jobId: string, attempt: AttemptRecord): Promise<void>;
  attempts(jobId: string): Promise<AttemptRecord[]>;
  /** Appends to the job's hash chain and returns the record. */
  appendAudit(jobId: string, kind: string, data: unknown): Promise<AuditRecord>;
  audit(jobId: string): Promise<AuditRecord[]>;
  /** Jobs that were planning or running (or planned and due) when the process stopped. */
  unfinished(): Promise<StoredJob[]>;
  /** Scheduled jobs whose runAt has come. */
  due(now: Date): Promise<StoredJob[]>;
  /** Adds outbox messages; an id already stored is left as it is. */
  enqueueDeliveries(deliveries: NewDelivery[]): Promise<void>;
  /**
   * Takes up to `limit` pending deliveries due at `now`, counts an attempt on each and
   * moves their next attempt `leaseMs` ahead, so another sender (or this one after a
   * crash) takes them again only once the lease has run out.
   */
  claimDeliveries(now: Date, leaseMs: number, limit: number): Promise<Delivery[]>;
  /** Records a claimed delivery's result: delivered, due again later, or given up. */
  settleDelivery(id: string, result: DeliverySettlement): Promise<void>;
  /** All deliveries of a job (or all when no job is given), oldest first. */
  deliveries(jobId?: string): Promise<Delivery[]>;
  /**
   * A lease on a named piece of work (`job:<jobId>`, `task:<jobId>/<taskId>`): one owner at
   * a time, until it runs out. True when taken: the key was free, its lease had expired,
   * or it is already this owner's (then renewed). Times come from the store's clock, so
   * every process holding the same store agrees on who owns what.
   */
  claimLease(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /**
   * The holder's heartbeat: moves the lease `leaseMs` ahead of now. False when the lease
   * was lost (expired and taken by another owner, or released): the caller must stop the
   * work. A lease that ran out but that nobody took is still this owner's and renews.
   */
  renewLease(key: string, owner: string, leaseMs: number): Promise<boolean>;
  /** Frees the key for others; a no-op when it is not this owner's (any more). */
  releaseLease(key: string, owner: string): Promise<void>;
  close(): Promise<void>;
}
