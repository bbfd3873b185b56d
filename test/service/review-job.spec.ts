import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { jobDir } from '../../src/audit/job-folder.js';
import { verifyJob } from '../../src/report/write-report.js';
import { openJobStore } from '../../src/store/index.js';
import { groundTruth } from '../support/api-env.js';
import { accountId, countsOf, expectedRows, rowLine, truthAccounts, type ReviewApp, type RosterPerson, type TruthAccount } from '../support/review-truth.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * The `review` job kind on the service: listing both API apps, reconciling against an
 * inline roster, its files as verifiable artifacts, and orphans turned into one
 * offboarding job that goes through the usual plan/approval path. Every count, row and
 * id set is compared with what the simulators hold (test/support/review-truth.ts).
 */
let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 25 } });
});
test.afterEach(async () => env.close());

type Mutation = { method: string; path: string; userId: string };

const APPS: ReviewApp[] = ['bigid', 'sigma'];
const ORPHAN_EMAILS = ['asmith@example.com', 'jdoe@example.com'];

async function accounts(): Promise<Record<ReviewApp, TruthAccount[]>> {
  return { bigid: await truthAccounts(env.bigid.stateUrl), sigma: await truthAccounts(env.sigma.stateUrl) };
}

async function mutations(app: ReviewApp): Promise<Mutation[]> {
  return (await groundTruth<{ mutations: Mutation[] }>(env[app].stateUrl)).mutations;
}

/** Everyone with an account in either app, except asmith (absent: HR never heard of her) and jdoe (terminated). */
async function rosterPeople(): Promise<RosterPerson[]> {
  const emails = new Set<string>();
  for (const list of Object.values(await accounts())) for (const u of list) emails.add(u.email.toLowerCase());
  emails.delete('asmith@example.com');
  return [...emails].sort().map((email) => (email === 'jdoe@example.com' ? { email, status: 'terminated', terminationDate: '2026-01-31' } : { email, status: 'active', terminationDate: '' }));
}

function rosterCsv(people: RosterPerson[]): string {
  const lines = ['email,name,status,termination_date,manager'];
  for (const p of people) lines.push(p.status === 'terminated' ? `${p.email},John Doe,terminated,${p.terminationDate},boss@example.com` : `${p.email},Someone,active,,`);
  return lines.join('\n') + '\n';
}

async function roster(): Promise<string> {
  return rosterCsv(await rosterPeople());
}

async function reviewJob(body: Record<string, unknown>) {
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', ...body });
  expect(created.status, created.text).toBe(202);
  await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  return (await env.call('GET', `/v1/jobs/${created.json.job.id}`)).json.job;
}

type ReviewRow = { app: string; id: string; email: string; verdict: string; reason: string };

async function reviewRows(jobId: string): Promise<ReviewRow[]> {
  const json = await env.call('GET', `/v1/jobs/${jobId}/artifacts/review.json`);
  expect(json.status).toBe(200);
  return json.json.review.rows as ReviewRow[];
}

/** docs/access-review.md: rows are ordered by verdict, then by app, then by email. */
const ORDER = ['orphaned', 'unknown_account', 'active_ok', 'disabled_ok', 'missing'];
function inFileOrder(lines: string[]): string[] {
  // `app id email verdict`; a missing row's id is empty, so it still splits in four.
  const key = (l: string) => {
    const [app, , email, verdict] = l.split(' ');
    return [ORDER.indexOf(verdict!), app!, email!] as const;
  };
  return [...lines].sort((a, b) => {
    const [va, aa, ea] = key(a);
    const [vb, ab, eb] = key(b);
    return va - vb || (aa < ab ? -1 : aa > ab ? 1 : 0) || (ea < eb ? -1 : ea > eb ? 1 : 0);
  });
}

/** The (app, account id) of each orphan the roster makes: jdoe and asmith, active in both apps. */
function orphanLines(truth: Record<ReviewApp, TruthAccount[]>): string[] {
  return APPS.flatMap((app) => ORPHAN_EMAILS.map((email) => `${app} ${accountId(truth[app].find((u) => u.email === email)!)}`)).sort();
}

test('a review job lists both apps, reconciles, and its files download and verify', async () => {
  const truth = await accounts();
  const people = await rosterPeople();
  const job = await reviewJob({ roster: { csv: rosterCsv(people), source: 'hr.csv' } });
  expect(job.status).toBe('succeeded');
  expect(job.review.complete).toBe(true);
  // Every account the simulators hold was listed, no more, no fewer.
  expect(job.review.apps).toEqual([
    { app: 'bigid', complete: true, count: truth.bigid.length },
    { app: 'sigma', complete: true, count: truth.sigma.length },
  ]);
  const expected = expectedRows(truth, people);
  expect(job.review.counts).toEqual(countsOf(expected));
  // `rows` counts the accounts read (the `missing` rows are the roster's, not the apps').
  expect(job.review.rows).toBe(truth.bigid.length + truth.sigma.length);

  const rows = await reviewRows(job.id);
  // The same rows as the ground truth gives, in the documented order (orphans first).
  expect(rows.map(rowLine)).toEqual(inFileOrder(expected));
  const orphans = rows.filter((r) => r.verdict === 'orphaned');
  expect(orphans.map((r) => `${r.app} ${r.id}`).sort()).toEqual(orphanLines(truth));
  expect(job.review.orphans).toBe(4);
  for (const r of orphans) expect(r.reason, `${r.app} ${r.email}`).toBe(r.email === 'jdoe@example.com' ? 'terminated 2026-01-31 (manager: boss@example.com)' : 'not in the roster');

  const csv = await env.call('GET', `/v1/jobs/${job.id}/artifacts/review.csv`);
  const csvLines = csv.text.split('\r\n').filter((l) => l !== '');
  expect(csvLines[0]).toBe('app,id,email,name,role,status,origin,lastSeen,verdict,reason,rosterStatus,terminationDate,manager');
  // Ids and emails hold no commas or quotes, so the first three cells split plainly.
  expect(csvLines.slice(1).map((l) => l.split(',').slice(0, 3).join(' '))).toEqual(inFileOrder(expected).map((l) => l.split(' ').slice(0, 3).join(' ')));
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status).toBe(200);
  expect(report.headers['content-type']).toContain('text/html');
  expect(report.text).toContain('asmith@example.com');

  const dir = jobDir(env.config.dataDir, job.id);
  // The hashes the job reports are those of the files on disk, and of what the API serves.
  for (const a of job.review.artifacts as { path: string; sha256: string }[]) {
    expect(createHash('sha256').update(await readFile(path.join(dir, a.path))).digest('hex'), a.path).toBe(a.sha256);
  }
  expect((job.review.artifacts as { path: string }[]).map((a) => a.path)).toEqual(['review.csv', 'review.json', 'review.html']);
  expect(createHash('sha256').update(csv.text).digest('hex')).toBe(job.review.artifacts[0].sha256);
  const store = await openJobStore(env.config);
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
  // Reading is all a review does.
  expect(await mutations('bigid')).toEqual([]);
  expect(await mutations('sigma')).toEqual([]);
});

test('offboardOrphans: one offboarding job for the orphans, applied once; a second review finds none', async () => {
  const truth = await accounts();
  const people = await rosterPeople();
  const job = await reviewJob({ roster: { csv: rosterCsv(people) }, offboardOrphans: true });
  expect(job.status).toBe('succeeded');
  const childId = job.review.offboardJob as string;
  expect(childId).toMatch(/^job_/);
  const child = await env.waitFor(childId, ['succeeded', 'failed', 'awaiting_approval']);
  expect(child.status).toBe('succeeded');
  expect(child.kind).toBe('offboard');
  // One task per orphaned account, each changed.
  expect(child.tasks.map((t: { app: string; email: string; outcome: string }) => `${t.app} ${t.email.toLowerCase()} ${t.outcome}`).sort()).toEqual(
    APPS.flatMap((app) => ORPHAN_EMAILS.map((e) => `${app} ${e} changed`)).sort(),
  );
  expect(job.review.orphans).toBe(4);
  // The apps applied exactly one change per orphan, and to no one else.
  const ids = (app: ReviewApp) => ORPHAN_EMAILS.map((e) => accountId(truth[app].find((u) => u.email === e)!));
  expect((await mutations('bigid')).map((m) => `${m.method} ${m.userId}`).sort()).toEqual(ids('bigid').map((id) => `PUT ${id}`).sort());
  expect((await mutations('sigma')).map((m) => `${m.method} ${m.userId}`).sort()).toEqual(ids('sigma').map((id) => `DELETE ${id}`).sort());
  const after = await accounts();
  for (const e of ORPHAN_EMAILS) {
    expect(after.bigid.find((u) => u.email === e)!.isEnabled, `bigid ${e}`).toBe(false);
    expect(after.sigma.find((u) => u.email === e)!.isArchived, `sigma ${e}`).toBe(true);
  }

  const again = await reviewJob({ roster: { csv: rosterCsv(people) }, offboardOrphans: true });
  expect(again.review.orphans).toBe(0);
  expect(again.review.offboardJob).toBeNull();
  // Now jdoe's accounts are disabled_ok and asmith's unknown_account, as the state says.
  expect((await reviewRows(again.id)).map(rowLine).sort()).toEqual(expectedRows(after, people));
  expect((await mutations('bigid')).length + (await mutations('sigma')).length).toBe(4);
});

test('orphans over the blast-radius cap wait for approval', async () => {
  await env.close();
  env = await startServiceEnv({ approvals: { blastRadius: 1 } });
  const truth = await accounts();
  const job = await reviewJob({ roster: { csv: await roster() }, offboardOrphans: true });
  const child = await env.waitFor(job.review.offboardJob, ['awaiting_approval', 'succeeded', 'failed']);
  expect(child.status).toBe('awaiting_approval');
  expect(child.tasks.map((t: { app: string; email: string }) => `${t.app} ${t.email}`).sort()).toEqual(APPS.flatMap((app) => ORPHAN_EMAILS.map((e) => `${app} ${e}`)).sort());
  expect(await mutations('bigid')).toEqual([]);
  expect(await mutations('sigma')).toEqual([]);
  expect(await accounts()).toEqual(truth);
});

test('an app failing mid-listing fails the review job and marks that app incomplete', async () => {
  const truth = await accounts();
  const people = await rosterPeople();
  env.sigma.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/v2/members', times: 50 });
  const job = await reviewJob({ roster: { csv: rosterCsv(people) }, offboardOrphans: true });
  expect(job.status).toBe('failed');
  expect(job.review.complete).toBe(false);
  const [bigid, sigma] = job.review.apps as { app: string; complete: boolean; count: number; error?: { code: string } }[];
  expect(bigid).toEqual({ app: 'bigid', complete: true, count: truth.bigid.length });
  expect([sigma!.app, sigma!.complete, sigma!.count, sigma!.error?.code]).toEqual(['sigma', false, 0, 'UPSTREAM_UNAVAILABLE']);
  // Only BigID's rows, all of them; no `missing` row for Sigma, whose listing is unknown.
  expect((await reviewRows(job.id)).map(rowLine).sort()).toEqual(expectedRows({ bigid: truth.bigid } as Record<ReviewApp, TruthAccount[]>, people));
  const html = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(html.text).toContain('INCOMPLETE');
  // Orphans found in what was read (jdoe and asmith in BigID) still need a person before anything changes.
  const child = await env.waitFor(job.review.offboardJob, ['awaiting_approval', 'succeeded', 'failed']);
  expect(child.status).toBe('awaiting_approval');
  expect(child.tasks.map((t: { app: string; email: string }) => `${t.app} ${t.email}`).sort()).toEqual(ORPHAN_EMAILS.map((e) => `bigid ${e}`));
  expect(await mutations('bigid')).toEqual([]);
  expect(await mutations('sigma')).toEqual([]);
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
  expect(await mutations('bigid')).toEqual([]);
  expect(await mutations('sigma')).toEqual([]);
});

test('a roster body may be large, but only for a review', async () => {
  const truth = await accounts();
  const people: RosterPerson[] = Array.from({ length: 3000 }, (_, i) => ({ email: `p${i}@example.com`, status: 'active', terminationDate: '' }));
  const big = 'email,name,status\n' + people.map((p, i) => `${p.email},Person ${i},active`).join('\n');
  expect(Buffer.byteLength(big)).toBeGreaterThan(64 * 1024);
  const ok = await env.call('POST', '/v1/jobs', { kind: 'review', roster: { csv: big } });
  expect(ok.status).toBe(202);
  const job = await env.waitFor(ok.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  // All 3,000 people read: each is `missing` in both apps, and every active account is an orphan.
  expect(job.review.counts).toEqual(countsOf(expectedRows(truth, people)));
  expect(job.review.counts.bigid.missing).toBe(3000);
  const offboard = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', pad: big });
  expect(offboard.status).toBe(413);
  expect((await env.call('GET', '/v1/jobs')).json.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
  expect(await mutations('bigid')).toEqual([]);
});
