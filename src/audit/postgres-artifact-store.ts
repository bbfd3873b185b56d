import { readFile, unlink } from 'node:fs/promises';
import type { Pool } from 'pg';
import { SeatctlError } from '../errors/index.js';
import { inTransaction } from '../store/postgres-connection.js';
import { artifactContentType } from '../fs/safe-artifact-path.js';
import { artifactExists, artifactKey, checkJobId, sha256Of, type ArtifactStore, type PutOptions, type StoredArtifact } from './artifact-store.js';

/**
 * Artifacts in PostgreSQL, so evidence and reports written by any worker can be served
 * by any API node. One row per file (`bytea`; PostgreSQL keeps large values out of line
 * and compressed), keyed by job id and path. Append-only as the file store: an `INSERT
 * … ON CONFLICT DO NOTHING` decides atomically which writer's bytes a path holds.
 *
 * Its own migration bookkeeping (`artifact_migrations`), so it can share a schema with
 * the PostgreSQL job store, which keeps its own.
 */
export interface PostgresArtifactStoreOptions {
  /** A connection string; it may hold a password, so it is never logged or put in an error. */
  url: string;
  schema?: string;
  /** Most connections this process opens for artifacts. */
  maxConnections?: number;
  /** An idle connection's error (PostgreSQL restarted): reported, not thrown. */
  onError?: (message: string) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Each entry runs once, in order, under the migration lock; never edit one that shipped. */
const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `CREATE TABLE ${s}.artifacts (
    job_id text NOT NULL,
    path text NOT NULL,
    sha256 text NOT NULL,
    bytes bigint NOT NULL,
    content_type text NOT NULL,
    data bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, path)
  )`,
];

export function createPostgresArtifactStore(options: PostgresArtifactStoreOptions): ArtifactStore {
  const schemaName = options.schema ?? 'seatctl';
  if (!SCHEMA_NAME.test(schemaName)) throw new SeatctlError('CONFIG_INVALID', 'artifacts.schema: lower-case letters, digits and _ (at most 63)', { details: { field: 'artifacts.schema' } });
  const s = `"${schemaName}"`;
  let pool: Pool | null = null;
  let ready: Promise<Pool> | null = null;

  const connect = (): Promise<Pool> => {
    ready ??= (async () => {
      const pg = (await import('pg')).default;
      pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 4 });
      pool.on('error', (err) => options.onError?.(`artifact store connection: ${err.message}`));
      await migrate(pool);
      return pool;
    })().catch((err: unknown) => {
      ready = null;
      throw unavailable(err);
    });
    return ready;
  };

  async function migrate(p: Pool): Promise<void> {
    await inTransaction(p, async (client) => {
      // One migrator per schema at a time, whichever process starts first.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`seatctl.artifacts:${schemaName}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${s}.artifact_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.artifact_migrations`);
      for (let v = (rows[0]?.v ?? 0) + 1; v <= MIGRATIONS.length; v++) {
        await client.query(MIGRATIONS[v - 1]!(s));
        await client.query(`INSERT INTO ${s}.artifact_migrations (version) VALUES ($1)`, [v]);
      }
    });
  }

  const query = async <R extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<R[]> => {
    const p = await connect();
    return (await p.query<R>(sql, params)).rows;
  };

  async function insert(jobId: string, relPath: string, data: Buffer, opts: PutOptions | undefined): Promise<StoredArtifact> {
    checkJobId(jobId);
    const key = artifactKey(relPath);
    const sha256 = sha256Of(data);
    const inserted = await query(
      `INSERT INTO ${s}.artifacts (job_id, path, sha256, bytes, content_type, data) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, path) DO NOTHING RETURNING path`,
      [jobId, key, sha256, data.length, opts?.contentType ?? artifactContentType(key), data],
    );
    if (!inserted.length) {
      const [existing] = await query<{ sha256: string }>(`SELECT sha256 FROM ${s}.artifacts WHERE job_id = $1 AND path = $2`, [jobId, key]);
      if (existing?.sha256 !== sha256) throw artifactExists(jobId, key);
    }
    return { path: key, sha256, bytes: data.length };
  }

  return {
    put: (jobId, relPath, data, opts) => insert(jobId, relPath, Buffer.from(data), opts),

    async putFile(jobId, relPath, localFile, opts) {
      const stored = await insert(jobId, relPath, await readFile(localFile), opts);
      await unlink(localFile).catch(() => undefined);
      return stored;
    },

    async replace(jobId, relPath, data, opts) {
      checkJobId(jobId);
      const key = artifactKey(relPath);
      const bytes = Buffer.from(data);
      const sha256 = sha256Of(bytes);
      await query(
        `INSERT INTO ${s}.artifacts (job_id, path, sha256, bytes, content_type, data) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (job_id, path) DO UPDATE SET sha256 = excluded.sha256, bytes = excluded.bytes, content_type = excluded.content_type, data = excluded.data, created_at = now()`,
        [jobId, key, sha256, bytes.length, opts?.contentType ?? artifactContentType(key), bytes],
      );
      return { path: key, sha256, bytes: bytes.length };
    },

    async get(jobId, relPath) {
      checkJobId(jobId);
      const [row] = await query<{ data: Buffer }>(`SELECT data FROM ${s}.artifacts WHERE job_id = $1 AND path = $2`, [jobId, artifactKey(relPath)]);
      return row ? row.data : null;
    },

    async stat(jobId, relPath) {
      checkJobId(jobId);
      const [row] = await query<{ bytes: string; sha256: string }>(`SELECT bytes, sha256 FROM ${s}.artifacts WHERE job_id = $1 AND path = $2`, [jobId, artifactKey(relPath)]);
      return row ? { bytes: Number(row.bytes), version: row.sha256 } : null;
    },

    async list(jobId) {
      checkJobId(jobId);
      const rows = await query<{ path: string; sha256: string; bytes: string }>(`SELECT path, sha256, bytes FROM ${s}.artifacts WHERE job_id = $1 ORDER BY path COLLATE "C"`, [jobId]);
      return rows.map((r) => ({ path: r.path, sha256: r.sha256, bytes: Number(r.bytes) }));
    },

    async discard(jobId) {
      checkJobId(jobId);
      await query(`DELETE FROM ${s}.artifacts WHERE job_id = $1`, [jobId]);
    },

    async close() {
      const p = pool;
      pool = null;
      ready = null;
      await p?.end();
    },
  };
}

/**
 * A connection or migration failure, without the URL (it may hold a password): pg's own
 * messages name host and port at most.
 */
function unavailable(err: unknown): SeatctlError {
  if (err instanceof SeatctlError) return err;
  return new SeatctlError('UPSTREAM_UNAVAILABLE', `artifact store (PostgreSQL): ${(err as Error).message}`, { cause: err });
}

