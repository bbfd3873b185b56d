import { test, expect } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job, Task } from '../../src/model/index.js';
import type { FileEvidence } from '../../src/model/evidence.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { deactivations, describeTask, stitchTruth, taskFor, userIn } from './console-truth.js';

/**
 * Console visits (issue 16.3): offboardings waiting for the same console continue one
 * signed-in visit of the Team Members page instead of loading it three times each, yet
 * every task keeps its own evidence and read-back, and the plan and report still show one
 * task per person. Ground truth: the simulator's request log (page loads), its mutation
 * log (one deactivation each), the evidence files and their hashes, the traces' first
 * snapshots.
 */
let env: SimEnv | undefined;
test.afterEach(async () => {
  await env?.close();
  env = undefined;
});

const N = 5;
const TEAM_PAGE = 'GET /account/team';
const CONTINUED = /^continued the signed-in visit of \/account\/team: its data was loaded at \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+\.\d s before\), call \d+ of this visit$/;

const file = (e: SimEnv, job: Job, task: Task, p: string) => readFile(path.join(e.config.dataDir, 'jobs', job.id, task.id, p));
const files = (task: Task, kind: 'trace' | 'screenshot') => task.evidence.filter((i): i is FileEvidence => i.kind === kind);
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const teamLoads = (e: SimEnv, from = 0) => e.fixtures.stitch!.faults.requests.slice(from).filter((r) => `${r.method} ${r.path}` === TEAM_PAGE).length;
const notesOf = (task: Task) => task.evidence.flatMap((i) => (i.kind === 'note' ? [i.text] : []));

/** The URL of the first DOM snapshot a trace holds: what the page showed when the call began. */
function firstSnapshotUrl(zip: Buffer): string | undefined {
  const events = Object.entries(unzipSync(new Uint8Array(zip)))
    .filter(([name]) => name.endsWith('.trace'))
    .flatMap(([, data]) => strFromU8(data).split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type?: string; snapshot?: { frameUrl?: string } });
  return events.find((e) => e.type === 'frame-snapshot')?.snapshot?.frameUrl;
}

/** Active members other than the admin, from the simulator. */
async function people(e: SimEnv, count: number): Promise<string[]> {
  const active = (await stitchTruth(e)).users.filter((u) => u.status === 'Active' && !/it-admin/.test(u.email)).map((u) => u.email);
  expect(active.length).toBeGreaterThanOrEqual(count);
  return active.slice(0, count);
}

/** N offboardings submitted at once; returns the jobs and the Team Members page loads they made. */
async function batch(visitWindowMs: number): Promise<{ e: SimEnv; jobs: Job[]; emails: string[]; loads: number }> {
  env = await startSimEnv(['stitch'], { users: 8, appConfig: { stitch: { options: { visitWindowMs } } } });
  const e = env;
  const emails = await people(e, N);
  const from = e.fixtures.stitch!.faults.requests.length;
  const jobs = await Promise.all(emails.map((email) => e.run({ kind: 'offboard', email, apps: ['stitch'] })));
  return { e, jobs, emails, loads: teamLoads(e, from) };
}

test(`${N} Stitch offboardings at once share signed-in visits: each deactivated once, far fewer page loads than 3 each, evidence per task; with visits off, 3 loads each`, async () => {
  test.setTimeout(300_000);
  // A window no busy machine outlasts, so the count below depends on the rule, not on speed.
  const on = await batch(60_000);
  const { e, jobs, emails } = on;
  const truth = await stitchTruth(e);
  for (const [i, job] of jobs.entries()) {
    const task = taskFor(job, 'stitch');
    const email = emails[i]!;
    // One task per person and app, as without visits.
    expect(job.tasks.filter((t) => t.app === 'stitch')).toHaveLength(1);
    expect(task.outcome, describeTask(task)).toBe('changed');
    expect(task.subject.email).toBe(email);
    const member = userIn(truth, email);
    expect(member.status).toBe('Deactivated');
    expect(deactivations(truth, member.id), email).toHaveLength(1);

    // Its own traces and screenshots: files on disk with the recorded hashes; captions
    // name this task's person and no other person of the batch.
    const traces = files(task, 'trace');
    const shots = files(task, 'screenshot');
    expect(traces.length).toBeGreaterThanOrEqual(3);
    expect(shots.length).toBeGreaterThanOrEqual(2);
    for (const item of [...traces, ...shots]) expect(sha(await file(e, job, task, item.path)), item.path).toBe(item.sha256);
    const captions = shots.map((s) => s.caption).join('\n');
    expect(captions).toContain(email);
    for (const other of emails.filter((o) => o !== email)) expect(captions).not.toContain(other);
  }
  // No trace shared between tasks. (Two screenshots of the same listing, taken by two
  // tasks of one visit with nothing changed between them, may be the same image: each
  // is its own file, captioned with its own person.)
  const traceHashes = jobs.flatMap((job) => files(taskFor(job, 'stitch'), 'trace').map((i) => i.sha256));
  expect(new Set(traceHashes).size).toBe(traceHashes.length);

  // Visits were continued, and the evidence says so with the age of the data.
  const continuedNotes = jobs.flatMap((job) => notesOf(taskFor(job, 'stitch')).filter((n) => n.startsWith('continued the signed-in visit')));
  expect(continuedNotes.length).toBeGreaterThan(0);
  for (const n of continuedNotes) expect(n).toMatch(CONTINUED);
  // Three loads per person without visits; here the first call on each kept page loads it,
  // and a continued deactivation reads back from the page's own reload.
  expect(on.loads, `Team Members page loads for ${N} offboardings`).toBeLessThanOrEqual(N + 2);
  await e.close();
  env = undefined;

  // The control: the same batch with visits off loads the page for every call.
  const off = await batch(0);
  for (const job of off.jobs) expect(taskFor(job, 'stitch').outcome, describeTask(taskFor(job, 'stitch'))).toBe('changed');
  expect(off.jobs.flatMap((job) => notesOf(taskFor(job, 'stitch'))).filter((n) => n.startsWith('continued the signed-in visit'))).toEqual([]);
  expect(off.loads).toBeGreaterThanOrEqual(3 * N);
});

test('a visit older than the window is not continued: the next call\'s trace starts at about:blank and the page is loaded again', async () => {
  test.setTimeout(180_000);
  env = await startSimEnv(['stitch'], { users: 4, appConfig: { stitch: { options: { visitWindowMs: 300 } } } });
  const e = env;
  const first = taskFor(await e.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['stitch'] }), 'stitch');
  expect(first.outcome, describeTask(first)).toBe('changed');
  // Setup, not a timing assertion: past the window (a slower machine only waits longer).
  await new Promise((r) => setTimeout(r, 800));
  const from = e.fixtures.stitch!.faults.requests.length;
  const job = await e.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] });
  const task = taskFor(job, 'stitch');
  expect(task.outcome, describeTask(task)).toBe('changed');
  expect(userIn(await stitchTruth(e), 'jdoe@example.com').status).toBe('Deactivated');
  // The plan's look-up is the task's first trace: it began on a blank page and loaded Team Members.
  const plan = files(task, 'trace')[0]!;
  expect(plan.phase).toBe('find');
  expect(firstSnapshotUrl(await file(e, job, task, plan.path))).toBe('about:blank');
  expect(teamLoads(e, from)).toBeGreaterThanOrEqual(1);
  const firstNote = notesOf(task).find((n) => n.startsWith('continued the signed-in visit'));
  // A later call of this task may continue a visit made within this task; the plan's did not.
  if (firstNote) expect(task.evidence.findIndex((i) => i.kind === 'note' && i.text === firstNote)).toBeGreaterThan(task.evidence.indexOf(plan));
});

test('after a change that failed, the read-back before the retry loads the page afresh, never another kept visit from before the failure', async () => {
  test.setTimeout(180_000);
  env = await startSimEnv(['stitch'], { users: 6, appConfig: { stitch: { options: { visitWindowMs: 60_000 } } } });
  const e = env;
  const sim = e.fixtures.stitch!;
  // Two offboardings at once leave two kept pages on the team listing.
  const pair = await Promise.all(['asmith@example.com', 'jdoe@example.com'].map((email) => e.run({ kind: 'offboard', email, apps: ['stitch'] })));
  for (const job of pair) expect(taskFor(job, 'stitch').outcome).toBe('changed');
  expect(e.consoleRuntime.pool.stats.open, 'two kept pages, each on a visit').toBe(2);

  const [subject] = (await stitchTruth(e)).users.filter((u) => u.status === 'Active' && !/it-admin/.test(u.email)).map((u) => u.email);
  expect(subject).toBeDefined();
  // The deactivation fails on the console's side: the engine reads the account back
  // (its verify, as after a lost response) before it tries again. The failed call's page
  // is closed; the other kept page's listing predates the failure and must not serve it.
  sim.faults.enqueue({ kind: '500', method: 'POST', pathPrefix: '/api/team/' });
  const from = sim.faults.requests.length;
  const job = await e.run({ kind: 'offboard', email: subject!, apps: ['stitch'] });
  const task = taskFor(job, 'stitch');
  expect(task.outcome, describeTask(task)).toBe('changed');
  const member = userIn(await stitchTruth(e), subject!);
  expect(member.status).toBe('Deactivated');
  expect(deactivations(await stitchTruth(e), member.id)).toHaveLength(1);
  expect(notesOf(task).some((n) => /retry/i.test(n)), describeTask(task)).toBe(true);
  const log = sim.faults.requests.slice(from).map((r) => `${r.method} ${r.path} ${r.status}`);
  const posts = log.flatMap((l, i) => (/^POST \/api\/team\/[^/]+\/deactivate /.test(l) ? [i] : []));
  expect(posts, log.join('\n')).toHaveLength(2);
  expect(log[posts[0]!]).toMatch(/ 500$/);
  // Between the failed change and the retry: a fresh load of Team Members.
  expect(log.slice(posts[0]! + 1, posts[1]!).map((l) => l.replace(/ \d+$/, ''))).toContain(TEAM_PAGE);
});
