import type { Pool, PoolClient } from 'pg';
import { inTransaction } from './postgres-connection.js';
import { DEFAULT_STORE_SCHEMA, STORE_SCHEMA_NAME } from '../config/store-schema.js';
import { SeatctlError } from '../errors/index.js';

/**
 * The PostgreSQL store's schema as forward migrations, like sqlite-schema.ts: append-only
 * (never edit one that has shipped, add the next), and `schema_migrations` records which
 * have run. Every table lives in one schema of the operator's choosing (`store.schema`,
 * default `seatctl`), so seatctl can share a database with other software.
 *
 * Columns mirror the SQLite store's so both read through the same row converters
 * (sqlite-rows.ts): times are toISOString text, JSON is kept as the exact text written.
 * Text that is compared or ordered (ids, times, addresses) uses the "C" collation: byte
 * order, as in SQLite, whatever the database's locale, so keyset paging and due-time
 * comparisons mean the same on both stores.
 */
export type PgMigration = string;

export const PG_MIGRATIONS: readonly PgMigration[] = [
  // 1: the whole store as SQLite has it at its version 5.
  `
  CREATE TABLE jobs (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    kind               TEXT NOT NULL,
    status             TEXT COLLATE "C" NOT NULL,
    dry_run            SMALLINT NOT NULL CHECK (dry_run IN (0, 1)),
    created_at         TEXT COLLATE "C" NOT NULL,
    finished_at        TEXT,
    run_at             TEXT COLLATE "C",
    idempotency_key    TEXT COLLATE "C" UNIQUE,
    request            TEXT NOT NULL,
    requested_by       TEXT,
    plan_hash          TEXT,
    approved_hash      TEXT,
    approved_by        TEXT,
    approval_reasons   TEXT NOT NULL DEFAULT '[]',
    approvers_required INTEGER NOT NULL DEFAULT 1,
    updated_at         TEXT NOT NULL
  );
  CREATE INDEX jobs_by_created ON jobs (created_at DESC, id DESC);
  CREATE INDEX jobs_by_status ON jobs (status, created_at DESC, id DESC);
  CREATE INDEX jobs_by_run_at ON jobs (status, run_at);

  CREATE TABLE tasks (
    job_id   TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    id       TEXT COLLATE "C" NOT NULL,
    position INTEGER NOT NULL,
    status   TEXT NOT NULL,
    task     TEXT NOT NULL,
    PRIMARY KEY (job_id, id)
  );

  CREATE TABLE attempts (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id    TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    task_id   TEXT NOT NULL,
    operation TEXT NOT NULL,
    phase     TEXT NOT NULL,
    at        TEXT NOT NULL,
    detail    TEXT
  );
  CREATE INDEX attempts_by_job ON attempts (job_id, id);

  CREATE TABLE audit (
    job_id    TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    data      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    -- A second record claiming the same place in a job's chain is refused outright.
    PRIMARY KEY (job_id, seq)
  );

  CREATE TABLE webhook_deliveries (
    id              TEXT COLLATE "C" PRIMARY KEY,
    webhook         TEXT NOT NULL,
    job_id          TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    event           TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT COLLATE "C" NOT NULL,
    last_error      TEXT,
    created_at      TEXT COLLATE "C" NOT NULL,
    settled_at      TEXT
  );
  CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
  CREATE INDEX webhook_deliveries_by_job ON webhook_deliveries (job_id, created_at);

  CREATE TABLE job_people (
    email      TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    job_id     TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    PRIMARY KEY (email, created_at, job_id)
  );
  CREATE INDEX job_people_by_job ON job_people (job_id);

  CREATE TABLE job_status_history (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    status TEXT NOT NULL,
    at     TEXT NOT NULL
  );
  CREATE INDEX job_status_history_by_job ON job_status_history (job_id, id);

  CREATE TABLE decisions (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id     TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
    plan_hash  TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason     TEXT,
    at         TEXT NOT NULL,
    UNIQUE (job_id, plan_hash, decided_by, decision)
  );
  CREATE INDEX decisions_by_job ON decisions (job_id, id);

  CREATE TABLE leases (
    key        TEXT COLLATE "C" PRIMARY KEY,
    owner      TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL
  );
  `,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;

/** What `store.schema` accepts (config/store-schema.ts): an identifier safe to splice into SQL once quoted. */
export const PG_SCHEMA_NAME = STORE_SCHEMA_NAME;
export const DEFAULT_PG_SCHEMA = DEFAULT_STORE_SCHEMA;

/** The schema name as a quoted identifier; refuses anything PG_SCHEMA_NAME does not allow. */
export function quoteSchema(schema: string): string {
  if (!PG_SCHEMA_NAME.test(schema)) throw new SeatctlError('CONFIG_INVALID', `store.schema: must match ${PG_SCHEMA_NAME} (got ${JSON.stringify(schema)})`, { details: { field: 'store.schema' } });
  return `"${schema}"`;
}

/**
 * Brings `schema` up to date in one transaction under a transaction-level advisory lock
 * keyed by the schema name: two processes starting at once take turns (the second finds
 * the work done), and a crash mid-upgrade rolls back to a whole version since PostgreSQL
 * DDL is transactional. The schema itself is created here, under the lock, because two
 * concurrent `CREATE SCHEMA IF NOT EXISTS` can still collide on its catalog row.
 * Refuses a schema from a newer seatctl, as the SQLite store does.
 */
export async function migratePostgres(pool: Pool, schema: string, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const quoted = quoteSchema(schema);
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('seatctl.migrate'), hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoted}`);
    await client.query(`SET LOCAL search_path TO ${quoted}`);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())');
    const version = await currentVersion(client);
    if (version > migrations.length) {
      throw new SeatctlError('CONFIG_INVALID', `job store (PostgreSQL schema ${schema}): schema version ${version} is newer than this seatctl understands (${migrations.length}); upgrade seatctl`, {
        details: { schema, schemaVersion: version, supported: migrations.length },
      });
    }
    for (let next = version; next < migrations.length; next++) {
      await client.query(migrations[next]!);
      await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [next + 1]);
    }
  });
  return migrations.length;
}

async function currentVersion(client: PoolClient): Promise<number> {
  const { rows } = await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM schema_migrations');
  return rows[0]?.v ?? 0;
}
