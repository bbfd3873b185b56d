import { test, expect } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jobDir } from '../../src/engine/task-runner.js';
import { verifyJob } from '../../src/report/write-report.js';
import { openJobStore } from '../../src/store/index.js';
import { groundTruth } from '../support/api-env.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * The `review` job kind on the service: listing both API apps, reconciling against an
 * inline roster, its files as verifiable artifacts, and orphans turned into one
 * offboarding job that goes through the usual plan/approval path.
 */
let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 25 } });
});
test.afterEach(async () => env.close());

type TruthUser = { email: string };

/** Everyone with an account in either app, except asmith (absent: HR never heard of her) and jdoe (terminated). */
async function roster(): Promise<string> {
  const emails = new Set<string>();
  for (const url of [env.bigid.stateUrl, env.sigma.stateUrl]) {
    for (const u of (await groundTruth<{ users: TruthUser[] }>(url)).users) emails.add(u.email.toLowerCase());
  }
  emails.delete('asmith@example.com');
  const lines = ['email,name,status,termination_date,manager'];
  for (const e of [...emails].sort()) lines.push(e === 'jdoe@example.com' ? `${e},John Doe,terminated,2026-01-31,boss@example.com` : `${e},Someone,active,,`);
  return lines.join('\n') + '\n';
}

async function reviewJob(body: Record<string, unknown>) {
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', ...body });
  expect(created.status, created.text).toBe(202);
  await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  return (await env.call('GET', `/v1/jobs/${created.json.job.id}`)).json.job;
}

test('a review job lists both apps, reconciles, and its files download and verify', async () => {
  const job = await reviewJob({ roster: { csv: await roster(), source: 'hr.csv' } });
  expect(job.status).toBe('succeeded');
  expect(job.review.complete).toBe(true);
  const truthCounts = {
    bigid: (await groundTruth<{ users: TruthUser[] }>(env.bigid.stateUrl)).users.length,
    sigma: (await groundTruth<{ users: TruthUser[] }>(env.sigma.stateUrl)).users.length,
  };
  expect(job.review.apps.map((a: { app: string; complete: boolean }) => [a.app, a.complete])).toEqual([['bigid', true], ['sigma', true]]);
  for (const a of job.review.apps as { app: 'bigid' | 'sigma'; count: number }[]) expect(a.count).toBeLessThanOrEqual(truthCounts[a.app]);

  const json = await env.call('GET', `/v1/jobs/${job.id}/artifacts/review.json`);
  expect(json.status).toBe(200);
  const rows = json.json.review.rows as { app: string; email: string; verdict: string; reason: string }[];
  const orphans = rows.filter((r) => r.verdict === 'orphaned');
  // Orphans come first in the file.
  expect(rows.slice(0, orphans.length).every((r) => r.verdict === 'orphaned')).toBe(true);
  expect(new Set(orphans.map((r) => r.email.toLowerCase()))).toEqual(new Set(['jdoe@example.com', 'asmith@example.com']));
  expect(orphans.find((r) => r.email === 'jdoe@example.com')?.reason).toContain('terminated');
  expect(orphans.find((r) => r.email === 'asmith@example.com')?.reason).toContain('not in the roster');
  expect(job.review.orphans).toBe(orphans.length);

  const csv = await env.call('GET', `/v1/jobs/${job.id}/artifacts/review.csv`);
  expect(csv.text.split('\r\n')[0]).toContain('verdict');
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status).toBe(200);
  expect(report.headers['content-type']).toContain('text/html');
  expect(report.text).toContain('asmith@example.com');

  const dir = jobDir(env.config.dataDir, job.id);
  const store = openJobStore(env.config.dataDir);
  try {
    expect((await verifyJob(store, env.config.dataDir, job.id)).ok).toBe(true);
    // An edited review file is caught.
    const file = path.join(dir, 'review.csv');
    await writeFile(file, (await readFile(file, 'utf8')).replace('orphaned', 'active_ok'));
    const v = await verifyJob(store, env.config.dataDir, job.id);
    expect(v.ok).toBe(false);
    expect(v.artifacts.filter((a) => !a.ok).map((a) => a.path)).toEqual(['review.csv']);
  } finally {
    await store.close();
  }
});

test('offboardOrphans: one offboarding job for the orphans, applied once; a second review finds none', async () => {
  const job = await reviewJob({ roster: { csv: await roster() }, offboardOrphans: true });
  expect(job.status).toBe('succeeded');
  const childId = job.review.offboardJob as string;
  expect(childId).toMatch(/^job_/);
  const child = await env.waitFor(childId, ['succeeded', 'failed', 'awaiting_approval']);
  expect(child.status).toBe('succeeded');
  expect(child.kind).toBe('offboard');
  const emails = new Set(child.tasks.map((t: { email: string }) => t.email.toLowerCase()));
  expect(emails).toEqual(new Set(['jdoe@example.com', 'asmith@example.com']));
  const changed = child.tasks.filter((t: { outcome: string }) => t.outcome === 'changed').length;
  expect(changed).toBe(job.review.orphans);
  const mutations = (await groundTruth(env.bigid.stateUrl)).mutations.length + (await groundTruth(env.sigma.stateUrl)).mutations.length;
  expect(mutations).toBe(changed);

  const again = await reviewJob({ roster: { csv: await roster() }, offboardOrphans: true });
  expect(again.review.orphans).toBe(0);
  expect(again.review.offboardJob).toBeNull();
});

test('orphans over the blast-radius cap wait for approval', async () => {
  await env.close();
  env = await startServiceEnv({ approvals: { blastRadius: 1 } });
  const job = await reviewJob({ roster: { csv: await roster() }, offboardOrphans: true });
  const child = await env.waitFor(job.review.offboardJob, ['awaiting_approval', 'succeeded', 'failed']);
  expect(child.status).toBe('awaiting_approval');
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toEqual([]);
});

test('an app failing mid-listing fails the review job and marks that app incomplete', async () => {
  env.sigma.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/v2/members', times: 50 });
  const job = await reviewJob({ roster: { csv: await roster() }, offboardOrphans: true });
  expect(job.status).toBe('failed');
  expect(job.review.complete).toBe(false);
  const sigma = job.review.apps.find((a: { app: string }) => a.app === 'sigma');
  expect(sigma.complete).toBe(false);
  expect(sigma.error.code).toBeTruthy();
  expect(job.review.apps.find((a: { app: string }) => a.app === 'bigid').complete).toBe(true);
  const html = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(html.text).toContain('INCOMPLETE');
  // Orphans found in what was read still need a person before anything changes.
  if (job.review.offboardJob) {
    const child = await env.waitFor(job.review.offboardJob, ['awaiting_approval', 'succeeded', 'failed']);
    expect(child.status).toBe('awaiting_approval');
  }
});

test('bad review bodies are 400 with the field or roster line named, and nothing is stored', async () => {
  const cases: [unknown, string][] = [
    [{ kind: 'review', roster: { csv: 'email,name\nx@example.com,X\n' } }, 'status'],
    [{ kind: 'review', roster: { csv: 'email,name,status\nnot-an-email,X,active\n' } }, 'line 2'],
    [{ kind: 'review', roster: { csv: 'email,name,status\na@example.com,A,active\nA@example.com,A,active\n' } }, 'line 3'],
    [{ kind: 'review', roster: { csv: 'email,name,status\na@example.com,A,fired\n' } }, 'line 2'],
    [{ kind: 'review', roster: { csv: '' } }, 'roster'],
    [{ kind: 'review', roster: 'email,name,status' }, 'roster'],
    [{ kind: 'review', apps: ['nope'] }, 'apps'],
    [{ kind: 'review', includeInactive: 'yes' }, 'includeInactive'],
    [{ kind: 'review', bogus: 1 }, 'bogus'],
    [{ kind: 'review', roster: { csv: 'email,name,status\na@example.com,A,active\n', columns: { email: '' } } }, 'columns'],
  ];
  for (const [body, named] of cases) {
    const r = await env.call('POST', '/v1/jobs', body);
    expect(r.status, JSON.stringify(body)).toBe(400);
    expect(`${r.json.error.field ?? ''} ${r.json.error.message}`, JSON.stringify(body)).toContain(named);
  }
  expect((await env.call('GET', '/v1/jobs')).json.jobs).toEqual([]);
});

test('a roster body may be large, but only for a review', async () => {
  const big = 'email,name,status\n' + Array.from({ length: 3000 }, (_, i) => `p${i}@example.com,Person ${i},active`).join('\n');
  expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
  const ok = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv: big } });
  expect(ok.status).toBe(202);
  await env.waitFor(ok.json.job.id, ['succeeded', 'failed']);
  const offboard = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', pad: big });
  expect(offboard.status).toBe(413);
});
