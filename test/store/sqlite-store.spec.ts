import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';
import Database from 'better-sqlite3';
import { SeatctlError } from '../../src/errors/index.js';
import { verifyAuditChain } from '../../src/store/audit-chain.js';
import type { JobStore } from '../../src/store/job-store.js';
import { openJobStore, STORE_FILE_NAME } from '../../src/store/open-store.js';
import { createSqliteJobStore } from '../../src/store/sqlite-job-store.js';
import { BUSY_TIMEOUT_MS, openSqliteFile } from '../../src/store/sqlite-file.js';
import { jobPeopleAndStatusHistory, migrate, MIGRATIONS, SCHEMA_VERSION, userVersion, type Migration } from '../../src/store/sqlite-schema.js';
import { storeConformance, type StoreHarness } from './store-conformance.js';
import { makeJob } from './store-fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'seatctl-store-'));
}

/** Another connection straight to the file, bypassing the store: what a person with file access could do. */
function withRawDb<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function sqliteHarness(): StoreHarness {
  const dir = tempDir();
  const file = path.join(dir, 'data', STORE_FILE_NAME);
  const handles: JobStore[] = [];
  return {
    async open(options = {}) {
      const store = createSqliteJobStore({ file, ...options });
      handles.push(store);
      return store;
    },
    async editAuditData(jobId, seq, data) {
      withRawDb(file, (db) => db.prepare('UPDATE audit SET data = ? WHERE job_id = ? AND seq = ?').run(JSON.stringify(data), jobId, seq));
    },
    async deleteAudit(jobId, seq) {
      withRawDb(file, (db) => db.prepare('DELETE FROM audit WHERE job_id = ? AND seq = ?').run(jobId, seq));
    },
    async dispose() {
      for (const store of handles) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

storeConformance('sqlite', async () => sqliteHarness());

test.describe('sqlite job store: file, schema, durability', () => {
  let dir: string;
  test.beforeEach(() => {
    dir = tempDir();
  });
  test.afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const mode = (p: string): number => statSync(p).mode & 0o777;

  test('openJobStore creates <dataDir>/seatctl.db 0600 in a new 0700 folder, WAL files 0600 too', async () => {
    const dataDir = path.join(dir, 'nested', 'data');
    const store = await openJobStore({ dataDir });
    try {
      const { job, meta } = makeJob();
      await store.create(job, meta);
      const file = path.join(dataDir, 'seatctl.db');
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      for (const suffix of ['-wal', '-shm']) {
        expect(existsSync(file + suffix)).toBe(true);
        expect(mode(file + suffix)).toBe(0o600);
      }
    } finally {
      await store.close();
    }
  });

  test('an existing file with loose permissions is tightened to 0600', async () => {
    const file = path.join(dir, 'loose.db');
    writeFileSync(file, '', { mode: 0o644 });
    await createSqliteJobStore({ file }).close();
    expect(mode(file)).toBe(0o600);
  });

  test('connection settings: WAL, synchronous=FULL, foreign keys, busy timeout', () => {
    const db = openSqliteFile(path.join(dir, 'pragmas.db'));
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    } finally {
      db.close();
    }
  });

  test('an empty file (user_version 0) is migrated to the current schema', async () => {
    const file = path.join(dir, 'empty.db');
    writeFileSync(file, '');
    const store = createSqliteJobStore({ file });
    const { job, meta } = makeJob();
    await store.create(job, meta);
    await store.close();
    expect(withRawDb(file, userVersion)).toBe(SCHEMA_VERSION);
  });

  test('forward migrations run once each, from whatever version the file is at, keeping data', () => {
    const db = new Database(path.join(dir, 'versions.db'));
    try {
      const runs: number[] = [];
      const v1: Migration = (d) => {
        runs.push(1);
        d.exec('CREATE TABLE t (a TEXT)');
      };
      const v2: Migration = (d) => {
        runs.push(2);
        d.exec("ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'new'");
      };
      expect(migrate(db, [v1])).toBe(1);
      db.prepare("INSERT INTO t (a) VALUES ('old')").run();
      // A later seatctl with one more migration opens the older file.
      expect(migrate(db, [v1, v2])).toBe(2);
      expect(migrate(db, [v1, v2])).toBe(2);
      expect(runs).toEqual([1, 2]);
      expect(userVersion(db)).toBe(2);
      expect(db.prepare('SELECT a, b FROM t').all()).toEqual([{ a: 'old', b: 'new' }]);
    } finally {
      db.close();
    }
  });

  test('issue 13 item 5: jobs stored before the people/status-history migration are found by email and have a history', async () => {
    const file = path.join(dir, 'before-people.db');
    const { job, meta } = makeJob({ email: 'Old.Timer@Example.com', status: 'succeeded' });
    withRawDb(file, (db) => {
      migrate(db, MIGRATIONS.slice(0, MIGRATIONS.indexOf(jobPeopleAndStatusHistory)));
      db.prepare(`INSERT INTO jobs (id, kind, status, dry_run, created_at, finished_at, request, updated_at) VALUES (?, 'offboard', 'succeeded', 0, ?, ?, ?, ?)`).run(
        job.id,
        job.createdAt,
        '2026-02-02T00:00:00.000Z',
        JSON.stringify(meta.request),
        '2026-02-03T00:00:00.000Z',
      );
      job.tasks.forEach((t, i) => db.prepare('INSERT INTO tasks (job_id, id, position, status, task) VALUES (?, ?, ?, ?, ?)').run(job.id, t.id, i, t.status, JSON.stringify(t)));
    });
    const store = createSqliteJobStore({ file });
    try {
      expect((await store.list({ email: 'old.timer@example.com' })).jobs.map((s) => s.job.id)).toEqual([job.id]);
      expect((await store.get(job.id))!.statusHistory).toEqual([{ status: 'succeeded', at: '2026-02-02T00:00:00.000Z' }]);
    } finally {
      await store.close();
    }
  });

  test('issue 13 item 2: an approval made before decisions were stored reads back as a decision after the upgrade', async () => {
    const file = path.join(dir, 'approved-before.db');
    const { job, meta } = makeJob({ status: 'succeeded' });
    withRawDb(file, (db) => {
      migrate(db, MIGRATIONS.slice(0, 1));
      db.prepare(`INSERT INTO jobs (id, kind, status, dry_run, created_at, request, plan_hash, approved_hash, approved_by, approval_reasons, updated_at)
        VALUES (?, ?, 'succeeded', 0, ?, ?, ?, ?, 'cli:pat', '["asked"]', '2026-01-01T00:00:00.000Z')`).run(job.id, job.kind, job.createdAt, JSON.stringify(meta.request), 'a'.repeat(64), 'a'.repeat(64));
    });
    const store = createSqliteJobStore({ file });
    try {
      expect(await store.get(job.id)).toMatchObject({
        approvedBy: 'cli:pat',
        approversRequired: 1,
        decisions: [{ planHash: 'a'.repeat(64), by: 'cli:pat', decision: 'approve', reason: null, at: '2026-01-01T00:00:00.000Z' }],
      });
    } finally {
      await store.close();
    }
  });

  test('a file from a newer seatctl is refused, untouched', () => {
    const file = path.join(dir, 'newer.db');
    withRawDb(file, (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 1}`));
    expect(() => createSqliteJobStore({ file })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ schemaVersion: SCHEMA_VERSION + 1 }) }));
    expect(withRawDb(file, (db) => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get())).toEqual({ n: 0 });
  });

  test('a file that is not a database is a typed error naming it', () => {
    const file = path.join(dir, 'junk.db');
    writeFileSync(file, 'this is not sqlite, just some text long enough to have a header'.repeat(10));
    let caught: unknown;
    try {
      createSqliteJobStore({ file });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SeatctlError);
    expect((caught as SeatctlError).message).toContain(file);
  });

  test('damaged rows read back as typed errors naming the job', async () => {
    const file = path.join(dir, 'damaged.db');
    const store = createSqliteJobStore({ file });
    try {
      const a = makeJob();
      const b = makeJob();
      await store.create(a.job, a.meta);
      await store.create(b.job, b.meta);
      await store.appendAudit(b.job.id, 'x', { ok: true });
      withRawDb(file, (db) => {
        db.prepare("UPDATE tasks SET task = '{not json' WHERE job_id = ? AND position = 0").run(a.job.id);
        db.prepare("UPDATE jobs SET request = '{\"kind\":\"offboard\",\"email\":42}' WHERE id = ?").run(b.job.id);
        db.prepare("UPDATE audit SET data = 'oops' WHERE job_id = ?").run(b.job.id);
      });
      await expect(store.get(a.job.id)).rejects.toMatchObject({ code: 'INTERNAL', details: { jobId: a.job.id } });
      await expect(store.get(b.job.id)).rejects.toMatchObject({ code: 'INTERNAL', details: { jobId: b.job.id, where: 'request' } });
      await expect(store.audit(b.job.id)).rejects.toBeInstanceOf(SeatctlError);
    } finally {
      await store.close();
    }
  });

  test('writes acknowledged before kill -9 are all there after restart', async () => {
    test.setTimeout(60_000);
    const file = path.join(dir, 'killed', STORE_FILE_NAME);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'store-writer.child.ts'), file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) if (line.startsWith('acked ')) acked.push(line.slice(6));
        if (acked.length >= 30) resolve();
      });
      child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const store = createSqliteJobStore({ file });
    try {
      for (const id of acked) {
        const stored = await store.get(id);
        expect(stored, `job ${id} acknowledged before the kill`).not.toBeNull();
        expect(stored!.job.tasks[1]!.status).toBe('running');
        expect(await store.attempts(id)).toHaveLength(1);
        const audit = await store.audit(id);
        expect(audit.map((r) => r.kind)).toEqual(['task.mutating', 'task.mutated']);
        expect(verifyAuditChain(audit)).toEqual({ ok: true });
      }
      // The job in flight at the kill is whole or absent per write: nothing is left unreadable.
      const all = await store.list({ limit: 500 });
      expect(all.jobs.length).toBeGreaterThanOrEqual(acked.length);
      for (const s of all.jobs) expect(verifyAuditChain(await store.audit(s.job.id)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
