import { test, expect } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job, Task } from '../../src/model/index.js';
import type { FileEvidence } from '../../src/model/evidence.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { describeTask, taskFor, userIn, type Mutation } from './console-truth.js';

/**
 * A console driver keeps its signed-in page for the next task (issue 16.2): the second
 * task on the same console opens no browser context and signs in no more, yet its
 * evidence is its own — its own trace chunks and screenshots, none of them showing the
 * person before — and a context that saw a failure or a dry-run stop is never reused.
 */
interface Truth {
  users: { id: string; email: string; role: string; status: string }[];
  mutations: Mutation[];
  logins: number;
}

let env: SimEnv | undefined;
test.afterEach(async () => {
  await env?.close();
  env = undefined;
});

const truth = async (e: SimEnv): Promise<Truth> => (await (await fetch(e.fixtures.stitch!.stateUrl)).json()) as Truth;
const file = (e: SimEnv, job: Job, task: Task, p: string) => readFile(path.join(e.config.dataDir, 'jobs', job.id, task.id, p));
const files = (task: Task, kind: 'trace' | 'screenshot') => task.evidence.filter((i): i is FileEvidence => i.kind === kind);

/** Every text entry of a trace zip, joined (event logs, network log, DOM resources). */
function traceText(zip: Buffer): string {
  return Object.entries(unzipSync(new Uint8Array(zip)))
    .filter(([name]) => !/\.(jpe?g|png|webp)$/i.test(name))
    .map(([, data]) => strFromU8(data))
    .join('\n');
}

/** The URL of the first DOM snapshot a trace holds: what the page showed when the call began. */
function firstSnapshotUrl(zip: Buffer): string | undefined {
  const entries = unzipSync(new Uint8Array(zip));
  const events = Object.entries(entries)
    .filter(([name]) => name.endsWith('.trace'))
    .flatMap(([, data]) => strFromU8(data).split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type?: string; snapshot?: { frameUrl?: string } });
  return events.find((e) => e.type === 'frame-snapshot')?.snapshot?.frameUrl;
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

test('stitch: the next task reuses the signed-in page; evidence stays per task; a failed or dry-run call is never reused', async () => {
  test.setTimeout(180_000);
  // Visits off: this test is about a kept page that starts every call blank (a continued
  // visit starts on the listing instead: test/console/console-visit.browser.spec.ts).
  env = await startSimEnv(['stitch'], { users: 4, appConfig: { stitch: { options: { visitWindowMs: 0 } } } });
  const e = env;
  const pool = e.consoleRuntime.pool;

  const first = await e.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['stitch'] });
  const t1 = taskFor(first, 'stitch');
  expect(t1.outcome, describeTask(t1)).toBe('changed');
  const contextsAfterFirst = pool.stats.contexts;
  // One sign-in context and one kept page for the three calls (plan, re-read, deactivation).
  expect(contextsAfterFirst).toBe(2);

  const second = await e.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] });
  const t2 = taskFor(second, 'stitch');
  expect(t2.outcome, describeTask(t2)).toBe('changed');
  expect(pool.stats.contexts, 'no context made for the second task').toBe(contextsAfterFirst);
  expect(e.consoleRuntime.logins.get('stitch')).toBe(1);
  expect((await truth(e)).logins).toBe(1);
  expect(userIn(await truth(e), 'jdoe@example.com').status).toBe('Deactivated');

  // Each task has its own traces (one per call) and screenshots: no shared file, no shared hash.
  const hashes = async (job: Job, task: Task) => Promise.all([...files(task, 'trace'), ...files(task, 'screenshot')].map(async (i) => sha(await file(e, job, task, i.path))));
  const h1 = await hashes(first, t1);
  const h2 = await hashes(second, t2);
  expect(files(t2, 'trace').length).toBeGreaterThanOrEqual(3);
  expect(files(t2, 'screenshot').length).toBeGreaterThanOrEqual(3);
  expect(h2.filter((h) => h1.includes(h))).toEqual([]);
  // The recorded hash is the file's.
  for (const item of files(t2, 'trace')) expect(sha(await file(e, second, t2, item.path))).toBe(item.sha256);

  // Captions name this task's person; nothing of the second task shows the first person.
  const captions = files(t2, 'screenshot').map((i) => i.caption).join('\n');
  expect(captions).toContain('jdoe@example.com');
  expect(captions).not.toContain('asmith');
  for (const item of files(t2, 'trace')) {
    const zip = await file(e, second, t2, item.path);
    expect(traceText(zip), `${item.path} holds a page of the previous task`).not.toContain('asmith@example.com');
    // The call began on the blank page the previous call left, not on its last page.
    expect(firstSnapshotUrl(zip), item.path).toBe('about:blank');
  }
  // …and the first task's traces did show that person (the check above can fail).
  const firstTraces = await Promise.all(files(t1, 'trace').map(async (i) => traceText(await file(e, first, t1, i.path))));
  expect(firstTraces.some((t) => t.includes('asmith@example.com'))).toBe(true);

  // A dry run stops at the confirmation: that context is closed, the next task makes a new one.
  const others = (await truth(e)).users.filter((u) => u.status === 'Active' && !/it-admin|jdoe|asmith/.test(u.email));
  expect(others.length).toBeGreaterThanOrEqual(2);
  const dry = await e.run({ kind: 'offboard', email: others[0]!.email, apps: ['stitch'], dryRun: true });
  expect(taskFor(dry, 'stitch').outcome, describeTask(taskFor(dry, 'stitch'))).toBe('planned');
  expect(pool.stats.contexts, 'the dry run reused the kept page').toBe(contextsAfterFirst);
  const afterDry = await e.run({ kind: 'offboard', email: others[0]!.email, apps: ['stitch'] });
  expect(taskFor(afterDry, 'stitch').outcome).toBe('changed');
  expect(pool.stats.contexts, 'the dry-run context was not reused').toBe(contextsAfterFirst + 1);

  // A deactivation that fails (the console's 500) closes its context: the read-back before
  // the retry gets a new one, which the retry then reuses.
  const before = pool.stats.contexts;
  e.fixtures.stitch!.faults.enqueue({ kind: '500', method: 'POST', pathPrefix: '/api/team/' });
  const failedOnce = await e.run({ kind: 'offboard', email: others[1]!.email, apps: ['stitch'] });
  const t4 = taskFor(failedOnce, 'stitch');
  expect(t4.outcome, describeTask(t4)).toBe('changed');
  expect(t4.evidence.some((i) => i.kind === 'note' && /retry/i.test(i.text)), describeTask(t4)).toBe(true);
  expect(pool.stats.contexts, 'the failed call\'s context was closed, one new one after it').toBe(before + 1);
  expect(e.consoleRuntime.logins.get('stitch')).toBe(1);
});

test('a kept page is let go when its browser is retired, so recycling completes', async () => {
  test.setTimeout(180_000);
  // Three contexts per browser: Stitch's sign-in, Stitch's kept page, Bill.com's sign-in;
  // Bill.com's page then needs a new browser while Stitch's page sits idle in the old one.
  env = await startSimEnv(['stitch', 'billcom'], { users: 4, config: { browser: { recycleAfterPages: 3 } } });
  const e = env;
  const pool = e.consoleRuntime.pool;
  expect(taskFor(await e.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['stitch'] }), 'stitch').outcome).toBe('changed');
  const oldPid = pool.pid();
  expect(pool.stats.open, 'the kept Stitch page').toBe(1);
  const billcom = taskFor(await e.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['billcom'] }), 'billcom');
  expect(billcom.outcome, describeTask(billcom)).toBe('changed');
  expect(pool.stats.recycles).toBe(1);
  expect(pool.pid()).not.toBe(oldPid);
  // The retired browser drained and closed: the idle Stitch page did not hold it open.
  await expect.poll(() => pool.stats.draining, { timeout: 10_000 }).toBe(0);
  expect(pool.stats.open, 'only Bill.com\'s kept page is open').toBe(1);
  // Stitch's next task gets a page on the new browser, from the same session.
  const contexts = pool.stats.contexts;
  const stitch = taskFor(await e.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] }), 'stitch');
  expect(stitch.outcome, describeTask(stitch)).toBe('changed');
  expect(pool.stats.contexts).toBe(contexts + 1);
  expect(e.consoleRuntime.logins.get('stitch')).toBe(1);
});
