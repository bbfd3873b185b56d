import { test, expect } from '@playwright/test';
import { existsSync } from 'node:fs';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { jobDir } from '../../src/audit/job-folder.js';
import { verifyJob } from '../../src/report/write-report.js';
import { openJobStore, type JobStore } from '../../src/store/index.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue "Security hardening" item 8 (resource use): a review job's roster is stored
 * exactly once (the job's roster.csv, hashed in the `created` audit record), and the
 * config's `review` caps refuse an oversized roster or listing with the key named.
 * Ground truth: the bytes of the data dir (SQLite db, WAL, job folder) and its files.
 */
let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv();
});
test.afterEach(async () => env.close());

/** A column seatctl ignores carries the marker, so no review output ever copies it: only a stored roster holds it. */
const MARKER = 'ROSTER-MARKER-9f3c1e77-only-in-the-roster';
const PEOPLE = 20_000;

function bigRoster(people = PEOPLE): string {
  const lines = ['email,name,status,termination_date,manager,note'];
  for (let i = 0; i < people; i += 1) lines.push(`person${i}@roster.example.com,Person ${i},active,,,${i === Math.min(12_345, people - 1) ? MARKER : 'x'}`);
  return lines.join('\n') + '\n';
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) out.push(path.join(e.parentPath, e.name));
  return out;
}

async function dataDirBytes(): Promise<number> {
  let total = 0;
  for (const f of await filesUnder(env.config.dataDir)) total += (await stat(f)).size;
  return total;
}

/** Where the marker's bytes are in the data dir, and how many times in each file. */
async function markerCopies(): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  const needle = Buffer.from(MARKER);
  for (const f of await filesUnder(env.config.dataDir)) {
    const buf = await readFile(f);
    let n = 0;
    for (let at = buf.indexOf(needle); at !== -1; at = buf.indexOf(needle, at + 1)) n += 1;
    if (n) found[path.relative(env.config.dataDir, f)] = n;
  }
  return found;
}

async function withStore<T>(fn: (store: JobStore) => Promise<T>): Promise<T> {
  const store = await openJobStore(env.config);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

test('resource use #8.1: a 20,000-row roster is stored once, as the job\'s roster.csv, and jobs verify covers it', async () => {
  const csv = bigRoster();
  const before = await dataDirBytes();
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv, source: 'hr.csv' } });
  expect(created.status, created.text).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  const grown = await dataDirBytes();
  const dir = jobDir(env.config.dataDir, job.id);
  const outputs = (await Promise.all(['review.csv', 'review.json', 'review.html'].map((f) => stat(path.join(dir, f))))).reduce((n, s) => n + s.size, 0);
  console.log(`roster ${Buffer.byteLength(csv)} bytes; data dir grew ${grown - before} bytes (review outputs ${outputs} bytes, the rest ${grown - before - outputs})`);

  // The roster's bytes exist once: in the job folder, byte for byte as sent; not in the db, WAL, job.json or logs.
  expect(await markerCopies()).toEqual({ [path.join('jobs', job.id, 'roster.csv')]: 1 });
  expect(await readFile(path.join(dir, 'roster.csv'), 'utf8')).toBe(csv);
  expect((await stat(path.join(dir, 'roster.csv'))).mode & 0o777).toBe(0o600);
  // Everything but the outputs and that one copy is small (the old store wrote the roster into the row, the WAL and the audit chain).
  expect(grown - before - outputs).toBeLessThan(Buffer.byteLength(csv) + 1_000_000);
  expect(job.review.rows).toBeGreaterThan(0);

  await withStore(async (store) => {
    const createdRecord = (await store.audit(job.id)).find((r) => r.kind === 'created')!;
    expect((createdRecord.data as { request: { roster: unknown } }).request.roster).toEqual({ file: 'roster.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: Buffer.byteLength(csv), source: 'hr.csv' });
    const ok = await verifyJob(store, env.config.dataDir, job.id);
    expect(ok.ok).toBe(true);
    expect(ok.artifacts.map((a) => a.path).sort()).toEqual(['review.csv', 'review.html', 'review.json', 'roster.csv']);

    // One person added to the stored roster after the fact: caught.
    await appendFile(path.join(dir, 'roster.csv'), 'intruder@roster.example.com,Intruder,active,,,x\n');
    const bad = await verifyJob(store, env.config.dataDir, job.id);
    expect(bad.ok).toBe(false);
    expect(bad.artifacts.filter((a) => !a.ok).map((a) => a.path)).toEqual(['roster.csv']);
  });
});

test('resource use #8.1: a job whose stored roster was edited before it ran fails and writes no review', async () => {
  const csv = bigRoster(50);
  const runAt = new Date(Date.now() + 1500).toISOString();
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv }, runAt });
  expect(created.status, created.text).toBe(202);
  const dir = jobDir(env.config.dataDir, created.json.job.id);
  await appendFile(path.join(dir, 'roster.csv'), 'intruder@roster.example.com,Intruder,active,,,x\n');
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('failed');
  expect(existsSync(path.join(dir, 'review.csv'))).toBe(false);
  await withStore(async (store) => {
    const finished = (await store.audit(job.id)).findLast((r) => r.kind === 'finished')!;
    expect(finished.data).toEqual({ status: 'failed', error: { code: 'EVIDENCE_MODIFIED', message: expect.stringContaining('roster.csv') } });
  });
});

test('resource use #8.2: a roster over review.maxRosterRows is refused with 400 naming the key; nothing is stored', async () => {
  env.config.review.maxRosterRows = 100;
  const r = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv: bigRoster(101) } });
  expect(r.status, r.text).toBe(400);
  expect(r.json.error.code).toBe('USAGE');
  expect(r.json.error.message).toContain('review.maxRosterRows');
  expect(r.json.error.message).toContain('100');
  expect((await env.call('GET', '/v1/jobs')).json.jobs).toEqual([]);
  expect(existsSync(path.join(env.config.dataDir, 'jobs')) ? await readdir(path.join(env.config.dataDir, 'jobs')) : []).toEqual([]);
  // At the cap it is accepted.
  const ok = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv: bigRoster(100) } });
  expect(ok.status, ok.text).toBe(202);
});

test('resource use #8.2: a listing over review.maxRows fails the job naming the key, and writes no review files', async () => {
  env.config.review.maxRows = 3;
  const created = await env.call('POST', '/v1/jobs', { kind: 'review' });
  expect(created.status, created.text).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('failed');
  const dir = jobDir(env.config.dataDir, job.id);
  for (const f of ['review.csv', 'review.json', 'review.html']) expect(existsSync(path.join(dir, f))).toBe(false);
  await withStore(async (store) => {
    const finished = (await store.audit(job.id)).findLast((r) => r.kind === 'finished')!;
    expect(finished.data).toEqual({ status: 'failed', error: { code: 'USAGE', message: expect.stringContaining('review.maxRows') } });
  });
});

test('resource use #8.1: a repeated submit (same idempotency key) keeps one job and one stored roster', async () => {
  const csv = bigRoster(200);
  // The same body twice, runAt included (a different runAt is a different request: 409).
  const runAt = new Date(Date.now() + 60_000).toISOString();
  const first = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv }, idempotencyKey: 'review-once', runAt });
  expect(first.status, first.text).toBe(202);
  const again = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv }, idempotencyKey: 'review-once', runAt });
  expect(again.status, again.text).toBe(200);
  expect(again.json.job.id).toBe(first.json.job.id);
  // Another roster under the same key is another request, although the store keeps only its hash.
  const other = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv: bigRoster(201) }, idempotencyKey: 'review-once', runAt });
  expect(other.status, other.text).toBe(409);
  expect(other.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(await readdir(path.join(env.config.dataDir, 'jobs'))).toEqual([first.json.job.id]);
  expect(await markerCopies()).toEqual({ [path.join('jobs', first.json.job.id, 'roster.csv')]: 1 });
});
