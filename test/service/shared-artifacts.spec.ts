import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ArtifactStore } from '../../src/audit/artifact-store.js';
import { createPostgresArtifactStore } from '../../src/audit/postgres-artifact-store.js';
import { verifyJob } from '../../src/report/write-report.js';
import { openJobStore } from '../../src/store/index.js';
import { pgTestUrl, withPgSchema } from '../audit/pg-test-schema.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue 14, item 4: evidence and reports are readable from any API node. Service A runs
 * the jobs and writes every artifact to PostgreSQL; service B has its own, empty data dir
 * and reads the same job store (SQLite here: the PostgreSQL job store is separate work)
 * and the same PostgreSQL schema through its own connection. B serves the report and
 * every artifact byte for byte, and `jobs verify` passes there; neither data dir holds a
 * job folder.
 */
test.describe.configure({ mode: 'serial' });

let schema: Awaited<ReturnType<typeof withPgSchema>>;
let a: ServiceEnv;
let b: ServiceEnv;
let storeA: ArtifactStore;
let storeB: ArtifactStore;

test.beforeAll(async () => {
  schema = await withPgSchema();
  storeA = createPostgresArtifactStore({ url: pgTestUrl(), schema: schema.name });
  storeB = createPostgresArtifactStore({ url: pgTestUrl(), schema: schema.name });
  a = await startServiceEnv({ artifacts: storeA, approvals: { blastRadius: 25 } });
  b = await startServiceEnv({ artifacts: storeB, store: await openJobStore(a.config) });
});

test.afterAll(async () => {
  await b?.close();
  await a?.close();
  await schema?.drop();
});

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

test('an offboarding run on A: B serves its report (verified) and every task record, and nothing is in either data dir', async () => {
  const created = await a.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  expect(created.status, created.text).toBe(202);
  const job = await a.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');

  const report = await b.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status, report.text).toBe(200);
  expect(report.text).toContain(`seatctl job ${job.id}`);
  expect(report.text).toContain('✔ verified');
  for (const t of job.tasks) {
    const record = await b.call('GET', `/v1/jobs/${job.id}/artifacts/${t.id}/evidence.json`);
    expect(record.status, record.text).toBe(200);
    expect((record.json as { kind: string }[]).some((i) => i.kind === 'request')).toBe(true);
    // Ground truth: the row in PostgreSQL, read through A's own handle.
    expect((await storeA.get(job.id, `${t.id}/evidence.json`))?.toString('utf8')).toBe(record.text);
  }
  const jobJson = await b.call('GET', `/v1/jobs/${job.id}/artifacts/job.json`);
  expect(jobJson.json.id).toBe(job.id);
  expect((await b.call('GET', `/v1/jobs/${job.id}/artifacts/t99-none/evidence.json`)).status).toBe(404);
  expect((await b.call('GET', `/v1/jobs/${job.id}/artifacts/..%2f..%2fseatctl.db`)).status).toBe(400);

  for (const env of [a, b]) expect(existsSync(path.join(env.config.dataDir, 'jobs', job.id)), env.config.dataDir).toBe(false);
});

test('a review run on A: B serves its files with the hashes in the audit chain, and verifies them', async () => {
  const roster = 'email,name,status,termination_date,manager\njdoe@example.com,John Doe,terminated,2026-01-31,boss@example.com\n';
  const created = await a.call('POST', '/v1/jobs', { kind: 'review', apps: ['bigid', 'sigma'], roster: { csv: roster, source: 'hr.csv' } });
  expect(created.status, created.text).toBe(202);
  const job = await a.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  const shown = (await b.call('GET', `/v1/jobs/${job.id}`)).json.job;
  const listed = shown.review.artifacts as { path: string; sha256: string }[];
  expect(listed.map((x) => x.path)).toEqual(['review.csv', 'review.json', 'review.html']);
  for (const file of listed) {
    const served = await b.service.app.inject({ method: 'GET', url: `/v1/jobs/${job.id}/artifacts/${file.path}`, headers: { authorization: `Bearer ${b.token}` } });
    expect(served.statusCode, file.path).toBe(200);
    expect(sha(served.rawPayload), file.path).toBe(file.sha256);
  }
  const rosterServed = await b.call('GET', `/v1/jobs/${job.id}/artifacts/roster.csv`);
  expect(rosterServed.text).toBe(roster);
  const report = await b.call('GET', `/v1/jobs/${job.id}/report`);
  expect(sha(report.text)).toBe(listed.find((x) => x.path === 'review.html')!.sha256);

  const jobStore = await openJobStore(a.config);
  try {
    const v = await verifyJob(jobStore, storeB, job.id);
    expect(v.ok).toBe(true);
    expect(v.artifacts.map((x) => x.path).sort()).toEqual(['review.csv', 'review.html', 'review.json', 'roster.csv']);
  } finally {
    await jobStore.close();
  }
  // A review's scratch files are gone once its outputs are stored.
  for (const env of [a, b]) expect(existsSync(path.join(env.config.dataDir, 'jobs', job.id)), env.config.dataDir).toBe(false);
  expect(readdirSync(path.join(a.config.dataDir, 'scratch'))).toEqual([]);
});
