import { test, expect } from '@playwright/test';
import { chromium, type Browser, type Page } from 'playwright';
import { createHash } from 'node:crypto';
import { appendFile, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { LAUNCH_ARGS } from '../../src/browser/resolve-chromium.js';
import { createJobEngine } from '../../src/engine/job-engine.js';
import type { Job } from '../../src/model/index.js';
import { writeJobReport } from '../../src/report/write-report.js';
import { openJobStore, type JobStore } from '../../src/store/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';

/**
 * Issue "Evidence that tells the truth", item 1: screenshot files of different tasks
 * share names (`04-deactivate-01.jpg`), and the report once showed one person's
 * Bill.com pages in every console section. Here a job offboards four people on both
 * consoles; the rendered report is checked against the files on disk, by hash.
 */
test.describe.configure({ mode: 'serial' });
let env: SimEnv;
let store: JobStore;
let browser: Browser;
let job: Job;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const activeUsers = async (app: 'stitch' | 'billcom') =>
  ((await (await fetch(env.fixtures.apps[app]!.stateUrl)).json()) as { users: { email: string; status: string; role: string }[] }).users.filter((u) => u.status === 'Active' && u.role !== 'Administrator');

/** sha256 of every file on disk in one task's evidence folder (ground truth, not the job record). */
async function folderHashes(taskId: string): Promise<Set<string>> {
  const dir = path.join(env.config.dataDir, 'jobs', job.id, taskId);
  const names = await readdir(dir);
  return new Set(await Promise.all(names.map(async (n) => sha(await readFile(path.join(dir, n))))));
}

/** Every screenshot in each task's section: the decoded bytes' hash and the caption shown under it. */
async function renderedSections(page: Page): Promise<Map<string, { heading: string; images: { hash: string; caption: string }[] }>> {
  const out = new Map<string, { heading: string; images: { hash: string; caption: string }[] }>();
  for (const t of job.tasks) {
    const section = page.locator(`section#task-${t.id}`);
    await expect(section).toHaveCount(1);
    const figures = await section.locator('figure').evaluateAll((els) =>
      els.map((f) => ({ src: f.querySelector('img')?.getAttribute('src') ?? '', caption: f.querySelector('figcaption')?.textContent ?? '' })),
    );
    out.set(t.id, {
      heading: (await section.locator('h2').textContent()) ?? '',
      images: figures.map((f) => {
        expect(f.src.startsWith('data:image/jpeg;base64,'), `task ${t.id} shows a non-inline image`).toBe(true);
        return { hash: sha(Buffer.from(f.src.slice('data:image/jpeg;base64,'.length), 'base64')), caption: f.caption };
      }),
    });
  }
  return out;
}

async function renderReport(): Promise<Page> {
  const file = await writeJobReport(store, env.config.dataDir, job.id);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`file://${file}`);
  return page;
}

test.beforeAll(async () => {
  test.setTimeout(300_000);
  env = await startSimEnv(['stitch', 'billcom'], { users: 3 });
  store = await openJobStore(env.config);
  browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
  const stitch = (await activeUsers('stitch')).map((u) => u.email);
  const billcom = (await activeUsers('billcom')).map((u) => u.email);
  const both = stitch.filter((e) => billcom.includes(e));
  expect(both).toEqual(expect.arrayContaining(['jdoe@example.com', 'asmith@example.com']));
  const onlyStitch = stitch.find((e) => !billcom.includes(e))!;
  const onlyBillcom = billcom.find((e) => !stitch.includes(e))!;
  const people = [
    { email: 'jdoe@example.com', apps: ['stitch', 'billcom'] },
    { email: 'asmith@example.com', apps: ['stitch', 'billcom'] },
    { email: onlyStitch, apps: ['stitch'] },
    { email: onlyBillcom, apps: ['billcom'] },
  ];
  const engine = createJobEngine({ runtime: env.runtime, store, approvals: env.config.approvals });
  const { stored } = await engine.submit({ kind: 'offboard', people, apps: 'all', mode: 'deactivate', dryRun: false, requireApproval: false });
  job = (await engine.process(stored.job.id)).job;
});

test.afterAll(async () => {
  await browser?.close();
  await store?.close();
  await env?.close();
});

test('evidence #1: every report image belongs to its own task', async () => {
  expect(job.status).toBe('succeeded');
  expect(job.tasks).toHaveLength(6);
  // Ground truth: each simulator logged one change per task on it.
  for (const app of ['stitch', 'billcom'] as const) {
    const state = (await (await fetch(env.fixtures.apps[app]!.stateUrl)).json()) as { mutations: unknown[] };
    expect(state.mutations).toHaveLength(job.tasks.filter((t) => t.app === app).length);
  }
  const page = await renderReport();
  await expect(page.locator('#verification')).toHaveText(/^✔ verified: /);
  const sections = await renderedSections(page);
  for (const t of job.tasks) {
    const { heading, images } = sections.get(t.id)!;
    expect(heading).toContain(t.app);
    expect(heading).toContain(t.subject.email);
    const own = await folderHashes(t.id);
    const jpgs = (await readdir(path.join(env.config.dataDir, 'jobs', job.id, t.id))).filter((n) => n.endsWith('.jpg'));
    expect(images.length, `${t.id} shows all its screenshots`).toBe(jpgs.length);
    expect(images.length).toBeGreaterThanOrEqual(2);
    for (const img of images) {
      expect(own.has(img.hash), `${t.id}: image "${img.caption}" is not one of this task's files`).toBe(true);
      expect(img.caption).toContain(`${t.app} · ${t.subject.email} · step `);
    }
  }
  // Six tasks, six different trails: every section shows a picture no other section shows
  // (identical frames such as an empty sign-in page may legitimately repeat).
  for (const [id, s] of sections) {
    const elsewhere = new Set([...sections].filter(([other]) => other !== id).flatMap(([, o]) => o.images.map((i) => i.hash)));
    expect(s.images.some((i) => !elsewhere.has(i.hash)), `${id} shows only pictures that other sections show too`).toBe(true);
  }
  // evidence #2 as the auditor reads it: a deactivated Stitch member drops out of the list,
  // so the after row says so; it never repeats the before-state.
  for (const t of job.tasks) {
    const after = (await page.locator(`section#task-${t.id} tr:has(th:text-is("after (read back)")) td`).textContent()) ?? '';
    const expected = t.app === 'stitch' ? `not listed after the change — ${t.subject.email} is no longer listed: deactivated (this app does not list deactivated members)` : `${t.subject.email}> · inactive ·`;
    expect(after).toContain(expected);
    expect(after).not.toContain('· active ·');
  }
  await page.screenshot({ path: path.join(env.dir, 'report-6-tasks.png'), fullPage: false });
  await page.close();
});

test('evidence #1: a tampered screenshot shows as NOT verified, still in its own section', async () => {
  const victim = job.tasks.find((t) => t.app === 'billcom')!;
  const dir = path.join(env.config.dataDir, 'jobs', job.id, victim.id);
  const shot = (await readdir(dir)).find((f) => f.endsWith('.jpg'))!;
  await appendFile(path.join(dir, shot), Buffer.from([0]));
  const page = await renderReport();
  await expect(page.locator('#verification')).toHaveText(/^✘ NOT verified: /);
  await expect(page.locator('#verification')).toContainText(`${job.tasks.reduce((n, t) => n + t.evidence.filter((e) => 'sha256' in e).length, 0) - 1}/`);
  await expect(page.locator(`section#task-${victim.id} figure[data-file="${shot}"] figcaption`)).toContainText('does not match its recorded hash');
  const sections = await renderedSections(page);
  for (const t of job.tasks) {
    const own = await folderHashes(t.id);
    for (const img of sections.get(t.id)!.images) expect(own.has(img.hash), `${t.id}: ${img.caption}`).toBe(true);
  }
  await page.close();
});
