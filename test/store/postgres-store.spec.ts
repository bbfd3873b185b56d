import { test, expect } from '@playwright/test';
import { verifyAuditChain } from '../../src/store/audit-chain.js';
import type { JobStore } from '../../src/store/job-store.js';
import { openJobStore } from '../../src/store/open-store.js';
import { createPostgresJobStore } from '../../src/store/postgres-job-store.js';
import { PG_SCHEMA_VERSION, migratePostgres } from '../../src/store/postgres-schema.js';
import { createStorePool, storeError } from '../../src/store/postgres-pool.js';
import { dropTestSchema, testSchemaName, TEST_PG_URL, withAdmin } from '../support/postgres-test-db.js';
import { storeConformance, type StoreHarness } from './store-conformance.js';
import { makeJob } from './store-fixtures.js';

/**
 * Issue 14 item 2: the PostgreSQL store passes the same conformance suites as SQLite
 * (store, outbox, leases), each test in a schema of its own on the local server; then
 * what only several processes on one database can show.
 */
const created = new Set<string>();

function postgresHarness(): StoreHarness {
  const schema = testSchemaName();
  created.add(schema);
  const handles: JobStore[] = [];
  return {
    async open(options = {}) {
      const store = await createPostgresJobStore({ url: TEST_PG_URL, schema, ...options });
      handles.push(store);
      return store;
    },
    async editAuditData(jobId, seq, data) {
      await withAdmin((c) => c.query(`UPDATE "${schema}".audit SET data = $1 WHERE job_id = $2 AND seq = $3`, [JSON.stringify(data), jobId, seq]));
    },
    async deleteAudit(jobId, seq) {
      await withAdmin((c) => c.query(`DELETE FROM "${schema}".audit WHERE job_id = $1 AND seq = $2`, [jobId, seq]));
    },
    async dispose() {
      for (const store of handles) await store.close();
      await dropTestSchema(schema);
      created.delete(schema);
    },
  };
}

// Whatever a failed test left behind: only the schemas this run made.
test.afterAll(async () => {
  for (const schema of created) await dropTestSchema(schema);
});

storeConformance('postgres', async () => postgresHarness());

test.describe('postgres job store: several processes, schema, errors', () => {
  let h: StoreHarness;
  test.beforeEach(() => {
    h = postgresHarness();
  });
  test.afterEach(async () => {
    await h.dispose();
  });

  test('two pools appending to one job at once: one chain, contiguous seqs, every prevHash the previous hash', async () => {
    const a = await h.open();
    const b = await h.open();
    const { job, meta } = makeJob();
    await a.create(job, meta);
    const appends = Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).appendAudit(job.id, 'step', { i }));
    const records = await Promise.all(appends);
    expect(records.map((r) => r.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    const stored = await b.audit(job.id);
    expect(stored.map((r) => r.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    stored.slice(1).forEach((r, i) => expect(r.prevHash).toBe(stored[i]!.hash));
    expect(verifyAuditChain(stored)).toEqual({ ok: true });
  });

  test('two pools creating with the same idempotency key at once make one job, and both get it', async () => {
    const a = await h.open();
    const b = await h.open();
    for (let round = 0; round < 5; round++) {
      const first = makeJob({ idempotencyKey: `hr-event-${round}` });
      const second = makeJob({ idempotencyKey: `hr-event-${round}` });
      const results = await Promise.all([a.create(first.job, first.meta), b.create(second.job, second.meta)]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results[0].stored.job.id).toBe(results[1].stored.job.id);
    }
    expect((await a.list({})).jobs).toHaveLength(5);
  });

  test('the tables live in the configured schema; two processes migrating a new schema at once both succeed, each version recorded once', async () => {
    const schema = testSchemaName();
    created.add(schema);
    const pools = [createStorePool(TEST_PG_URL, schema), createStorePool(TEST_PG_URL, schema)];
    try {
      await Promise.all(pools.map((p) => migratePostgres(p, schema)));
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
    const versions = await withAdmin((c) => c.query(`SELECT version FROM "${schema}".schema_migrations ORDER BY version`));
    expect(versions.rows.map((r) => r.version)).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
    const tables = await withAdmin((c) => c.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [schema]));
    expect(tables.rows.map((r) => r.table_name)).toEqual(['attempts', 'audit', 'decisions', 'job_people', 'job_status_history', 'jobs', 'leases', 'schema_migrations', 'tasks', 'webhook_deliveries']);
    await dropTestSchema(schema);
    created.delete(schema);
  });

  test('a schema from a newer seatctl is refused, untouched', async () => {
    const store = await h.open();
    await store.close();
    // The harness's schema, one version ahead.
    const schema = [...created].at(-1)!;
    await withAdmin((c) => c.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [PG_SCHEMA_VERSION + 1]));
    await expect(h.open()).rejects.toMatchObject({ code: 'CONFIG_INVALID', details: { schemaVersion: PG_SCHEMA_VERSION + 1 } });
  });

  test('a server that cannot be reached or a database that does not exist is STORE_UNAVAILABLE, and the password is in no message', async () => {
    const secret = 'hunter2-Sup3rSecret';
    for (const url of [`postgres://seatctl:${secret}@127.0.0.1:1/seatctl`, `postgres://seatctl:${secret}@localhost:1/seatctl`, TEST_PG_URL.replace(/\/[^/]*$/, `/no_such_db_${Date.now()}`).replace('://postgres@', `://postgres:${secret}@`)]) {
      let caught: unknown;
      try {
        await createPostgresJobStore({ url, schema: 'seatctl' });
      } catch (err) {
        caught = err;
      }
      expect(caught, url).toMatchObject({ code: 'STORE_UNAVAILABLE', retryClass: 'retryable' });
      const seen = JSON.stringify({ message: (caught as Error).message, json: caught, stack: (caught as Error).stack, cause: (caught as Error).cause ?? null });
      expect(seen).not.toContain(secret);
      expect(seen).not.toContain(url);
    }
  });

  test('a driver message that echoes the URL or its password is scrubbed before it becomes an error', () => {
    const url = 'postgres://svc:p%40ss-W0rd-xyz@db.internal:5432/seatctl';
    const err = Object.assign(new Error(`could not connect to ${url} as svc with password p@ss-W0rd-xyz (postgres://other:pw2@h/db)`), { code: '08001' });
    const mapped = storeError(err, url);
    expect(mapped).toMatchObject({ code: 'STORE_UNAVAILABLE', details: { pgCode: '08001' } });
    expect(mapped.message).not.toContain('p@ss-W0rd-xyz');
    expect(mapped.message).not.toContain('pw2');
    expect(mapped.message).not.toContain(url);
    expect(storeError(Object.assign(new Error('syntax error at or near "x"'), { code: '42601' }), url)).toMatchObject({ code: 'INTERNAL' });
  });
});

test.describe('openJobStore: the config picks the backend', () => {
  test('store.kind "postgres" opens PostgreSQL in the configured schema, the URL resolved from its secret reference', async () => {
    const schema = testSchemaName();
    created.add(schema);
    const store = await openJobStore({ dataDir: '/nonexistent/never-written', baseDir: '/', store: { kind: 'postgres', url: 'env:SEATCTL_TEST_STORE_URL', schema } }, { env: { SEATCTL_TEST_STORE_URL: TEST_PG_URL } });
    try {
      const { job, meta } = makeJob();
      await store.create(job, meta);
      const rows = await withAdmin((c) => c.query(`SELECT id FROM "${schema}".jobs`));
      expect(rows.rows).toEqual([{ id: job.id }]);
    } finally {
      await store.close();
      await dropTestSchema(schema);
      created.delete(schema);
    }
  });

  test('an unset URL variable is SECRET_UNRESOLVED, naming store.url', async () => {
    await expect(openJobStore({ dataDir: '/nonexistent', store: { kind: 'postgres', url: 'env:SEATCTL_TEST_UNSET_URL' } }, { env: {} })).rejects.toMatchObject({
      code: 'SECRET_UNRESOLVED',
      details: { field: 'store.url' },
    });
  });
});
