import type { Database } from 'better-sqlite3';
import { SeatctlError } from '../errors/index.js';

/**
 * The store's schema as a list of forward migrations. `PRAGMA user_version` holds how
 * many have run, so a newer seatctl opens a file an older one wrote (and an empty or
 * brand-new file is simply version 0). Migrations are append-only: never edit one that
 * has shipped, add the next instead.
 */
export type Migration = (db: Database) => void;

/**
 * The people each job is about, for `list({email})`, and each job's status changes with
 * their times, for startedAt and durations that leave out the wait for approval.
 * job_people keeps created_at so a person's jobs page newest first straight off the
 * index. Existing jobs are backfilled: their tasks' subjects (lower-cased in JS, as the
 * store does on create: SQLite's lower() folds ASCII only), and one history entry, the
 * status they have now, at the time they finished or were last written.
 */
export const jobPeopleAndStatusHistory: Migration = (db) => {
  db.exec(`
    CREATE TABLE job_people (
      email      TEXT NOT NULL,
      created_at TEXT NOT NULL,
      job_id     TEXT NOT NULL REFERENCES jobs (id),
      PRIMARY KEY (email, created_at, job_id)
    ) STRICT;
    CREATE INDEX job_people_by_job ON job_people (job_id);

    CREATE TABLE job_status_history (
      id     INTEGER PRIMARY KEY AUTOINCREMENT,
      job_id TEXT NOT NULL REFERENCES jobs (id),
      status TEXT NOT NULL,
      at     TEXT NOT NULL
    ) STRICT;
    CREATE INDEX job_status_history_by_job ON job_status_history (job_id, id);

    INSERT INTO job_status_history (job_id, status, at)
      SELECT id, status, COALESCE(finished_at, updated_at) FROM jobs ORDER BY created_at, id;
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO job_people (email, created_at, job_id) VALUES (?, ?, ?)');
  // all(), not iterate(): better-sqlite3 refuses writes while a read is still stepping.
  const rows = db.prepare('SELECT t.job_id, j.created_at, t.task FROM tasks t JOIN jobs j ON j.id = t.job_id').all() as { job_id: string; created_at: string; task: string }[];
  for (const row of rows) {
    let email: unknown;
    try {
      email = (JSON.parse(row.task) as { subject?: { email?: unknown } }).subject?.email;
    } catch {
      // A damaged task row stays readable-as-damaged (store.get names it); it has no person to index.
      continue;
    }
    if (typeof email === 'string') insert.run(personKey(email), row.created_at, row.job_id);
  }
};

/** How the store compares addresses: exact, case-insensitive. */
export function personKey(email: string): string {
  return email.toLowerCase();
}

export const MIGRATIONS: readonly Migration[] = [
  // 0 → 1: jobs, their tasks, mutation attempts and the per-job audit chain.
  (db) => {
    db.exec(`
      CREATE TABLE jobs (
        id               TEXT PRIMARY KEY,
        kind             TEXT NOT NULL,
        status           TEXT NOT NULL,
        dry_run          INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
        created_at       TEXT NOT NULL,
        finished_at      TEXT,
        run_at           TEXT,
        idempotency_key  TEXT UNIQUE,
        request          TEXT NOT NULL,
        requested_by     TEXT,
        plan_hash        TEXT,
        approved_hash    TEXT,
        approved_by      TEXT,
        approval_reasons TEXT NOT NULL DEFAULT '[]',
        updated_at       TEXT NOT NULL
      ) STRICT;
      -- list() pages newest first, with or without a status filter.
      CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
      CREATE INDEX jobs_by_status ON jobs (status, created_at DESC, id DESC);
      -- due() and unfinished() look up planned jobs by their start time.
      CREATE INDEX jobs_by_run_at ON jobs (status, run_at);

      CREATE TABLE tasks (
        job_id   TEXT NOT NULL REFERENCES jobs (id),
        id       TEXT NOT NULL,
        position INTEGER NOT NULL,
        status   TEXT NOT NULL,
        task     TEXT NOT NULL,
        PRIMARY KEY (job_id, id)
      ) STRICT;

      -- The autoincrement id is the order attempts were recorded in.
      CREATE TABLE attempts (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id    TEXT NOT NULL REFERENCES jobs (id),
        task_id   TEXT NOT NULL,
        operation TEXT NOT NULL,
        phase     TEXT NOT NULL,
        at        TEXT NOT NULL,
        detail    TEXT
      ) STRICT;
      CREATE INDEX attempts_by_job ON attempts (job_id, id);

      CREATE TABLE audit (
        job_id    TEXT NOT NULL REFERENCES jobs (id),
        seq       INTEGER NOT NULL,
        at        TEXT NOT NULL,
        kind      TEXT NOT NULL,
        data      TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL,
        UNIQUE (job_id, seq)
      ) STRICT;
    `);
  },
  // Webhook deliveries (the notification outbox): kept until sent or given up, so a
  // receiver that is down or a restart loses none.
  (db) => {
    db.exec(`
      CREATE TABLE webhook_deliveries (
        id              TEXT PRIMARY KEY,
        webhook         TEXT NOT NULL,
        job_id          TEXT NOT NULL REFERENCES jobs (id),
        event           TEXT NOT NULL,
        body            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error      TEXT,
        created_at      TEXT NOT NULL,
        settled_at      TEXT
      ) STRICT;
      -- claimDeliveries() takes the pending ones that are due, oldest due first.
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
      CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id, created_at);
    `);
  },
  jobPeopleAndStatusHistory,
  // Approvals and rejections per plan hash (N distinct approvers, separation of duties).
  (db) => {
    db.exec(`
      ALTER TABLE jobs ADD COLUMN approvers_required INTEGER NOT NULL DEFAULT 1;
      -- The autoincrement id is the order decisions were made in.
      CREATE TABLE decisions (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id     TEXT NOT NULL REFERENCES jobs (id),
        plan_hash  TEXT NOT NULL,
        decided_by TEXT NOT NULL,
        decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
        reason     TEXT,
        at         TEXT NOT NULL,
        UNIQUE (job_id, plan_hash, decided_by, decision)
      ) STRICT;
      CREATE INDEX decisions_by_job ON decisions (job_id, id);
      -- Approvals made before this table existed still show who approved which plan.
      INSERT INTO decisions (job_id, plan_hash, decided_by, decision, reason, at)
        SELECT id, approved_hash, approved_by, 'approve', NULL, updated_at FROM jobs
        WHERE approved_hash IS NOT NULL AND approved_by IS NOT NULL;
    `);
  },
  // Leases on named work (issue 14): which worker owns a job or task until its lease runs out.
  (db) => {
    db.exec(`
      CREATE TABLE leases (
        key        TEXT PRIMARY KEY,
        owner      TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT;
    `);
  },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Runs the migrations the file has not seen, each in its own IMMEDIATE transaction
 * together with its user_version bump: a crash mid-upgrade leaves a file at a whole
 * version, and two processes opening the same old file take turns instead of both
 * running the same step (the version is read under the write lock).
 * Refuses a file from a newer seatctl: writing to a schema we do not know could
 * corrupt it for the version that does.
 */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const step = db.transaction((): boolean => {
    const version = userVersion(db);
    if (version > migrations.length) {
      throw new SeatctlError(
        'CONFIG_INVALID',
        `job store ${db.name}: schema version ${version} is newer than this seatctl understands (${migrations.length}); upgrade seatctl`,
        { details: { file: db.name, schemaVersion: version, supported: migrations.length } },
      );
    }
    if (version === migrations.length) return false;
    migrations[version]!(db);
    // PRAGMA takes no bound parameters; `version` is an integer read from the file.
    db.pragma(`user_version = ${version + 1}`);
    return true;
  });
  while (step.immediate()) {
    // one version per transaction until current
  }
  return migrations.length;
}

export function userVersion(db: Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}
