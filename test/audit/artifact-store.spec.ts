import { mkdtemp, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import type { ArtifactStore } from '../../src/audit/artifact-store.js';
import { createFileArtifactStore } from '../../src/audit/file-artifact-store.js';
import { jobDir } from '../../src/audit/job-folder.js';
import { createPostgresArtifactStore } from '../../src/audit/postgres-artifact-store.js';
import { artifactStoreConformance } from './artifact-store-conformance.js';
import { pgTestUrl, withPgSchema } from './pg-test-schema.js';

artifactStoreConformance('files', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-art-files-'));
  return {
    open: async () => createFileArtifactStore({ jobFolder: (id) => jobDir(dataDir, id) }),
    dispose: () => rm(dataDir, { recursive: true, force: true }),
  };
});

artifactStoreConformance('postgres', async () => {
  const schema = await withPgSchema();
  const opened: ArtifactStore[] = [];
  return {
    open: async () => {
      const store = createPostgresArtifactStore({ url: pgTestUrl(), schema: schema.name });
      opened.push(store);
      return store;
    },
    dispose: async () => {
      await Promise.all(opened.map((s) => s.close()));
      await schema.drop();
    },
  };
});

test('files: today\'s layout, byte for byte, owner-only, and no temporary file left', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-art-files-'));
  try {
    const store = createFileArtifactStore({ jobFolder: (id) => jobDir(dataDir, id) });
    await store.put('job_x', 't01-stitch/01-login.jpg', Buffer.from([1, 2, 3]));
    const file = path.join(dataDir, 'jobs', 'job_x', 't01-stitch', '01-login.jpg');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect(await readdir(path.dirname(file))).toEqual(['01-login.jpg']);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('files: a symlink planted at an evidence name is neither written through nor served', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-art-files-'));
  try {
    const store = createFileArtifactStore({ jobFolder: (id) => jobDir(dataDir, id) });
    const outside = path.join(dataDir, 'outside.txt');
    await writeFile(outside, 'not evidence');
    await store.put('job_s', 'job.json', '{}');
    await symlink(outside, path.join(dataDir, 'jobs', 'job_s', 'planted.jpg'));
    const err = await store.put('job_s', 'planted.jpg', 'x').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ARTIFACT_EXISTS');
    expect(await store.get('job_s', 'planted.jpg').catch((e: { code: string }) => e.code)).toBe('USAGE');
    expect((await store.list('job_s')).map((a) => a.path)).toEqual(['job.json']);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('postgres: two stores migrate one schema concurrently, and bookkeeping is its own table', async () => {
  const schema = await withPgSchema();
  const a = createPostgresArtifactStore({ url: pgTestUrl(), schema: schema.name });
  const b = createPostgresArtifactStore({ url: pgTestUrl(), schema: schema.name });
  try {
    await Promise.all([a.put('job_m', 'a.json', '1'), b.put('job_m', 'b.json', '2')]);
    const client = new pg.Client({ connectionString: pgTestUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: number }>(`SELECT version FROM "${schema.name}".artifact_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual([1]);
      const { rows: cols } = await client.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'artifacts' ORDER BY ordinal_position`, [schema.name]);
      expect(cols.map((c) => c.column_name)).toEqual(['job_id', 'path', 'sha256', 'bytes', 'content_type', 'data', 'created_at']);
      const { rows: types } = await client.query<{ path: string; content_type: string }>(`SELECT path, content_type FROM "${schema.name}".artifacts ORDER BY path`);
      expect(types).toEqual([{ path: 'a.json', content_type: 'application/json' }, { path: 'b.json', content_type: 'application/json' }]);
    } finally {
      await client.end();
    }
  } finally {
    await a.close();
    await b.close();
    await schema.drop();
  }
});

test('postgres: a connection failure names neither the URL nor its password', async () => {
  const store = createPostgresArtifactStore({ url: 'postgres://seatctl:hunter2-secret@127.0.0.1:1/nowhere', schema: 'seatctl_unused' });
  const err = (await store.get('job_q', 'job.json').catch((e: unknown) => e)) as Error & { code?: string };
  expect(err.code).toBe('UPSTREAM_UNAVAILABLE');
  expect(err.message).not.toContain('hunter2');
  expect(err.message).not.toContain('postgres://');
  await store.close();
});
