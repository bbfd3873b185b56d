import { test, expect } from '@playwright/test';
import { chromium, type Page } from 'playwright';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { LAUNCH_ARGS } from '../../src/browser/resolve-chromium.js';
import { cli } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * The job report renders in Chromium, shows the screenshot trail, and `jobs verify`
 * (and the report) catch an edited screenshot and an edited audit record.
 */
test.describe.configure({ mode: 'serial' });
let dir: string;
let fx: LaunchedFixtures;
let jobId: string;
let report: string;
let taskIds: string[];

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * For each console task's section: how many images it shows, and how many of them are
 * byte-identical to a file in that task's own folder on disk (not what the job claims).
 */
async function imagesPerSection(page: Page): Promise<Record<string, { shown: number; own: number }>> {
  const out: Record<string, { shown: number; own: number }> = {};
  for (const id of taskIds.filter((t) => !t.endsWith('-bigid'))) {
    const taskDir = path.join(fx.dataDir, 'jobs', jobId, id);
    const own = new Set(await Promise.all((await readdir(taskDir)).map(async (f) => sha(await readFile(path.join(taskDir, f))))));
    const srcs = await page.locator(`section#task-${id} img`).evaluateAll((imgs) => imgs.map((i) => i.getAttribute('src') ?? ''));
    const hashes = srcs.map((s) => sha(Buffer.from(s.replace(/^data:image\/jpeg;base64,/, ''), 'base64')));
    out[id] = { shown: hashes.length, own: hashes.filter((h) => own.has(h)).length };
  }
  return out;
}

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-report-'));
  fx = await launchFixtures({ dir, apps: ['bigid', 'stitch', 'billcom'] });
  const run = await cli(['--json', 'offboard', 'jdoe@example.com', '--yes', '--config', fx.configPath]);
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout);
  jobId = doc.job.id;
  report = doc.report;
  taskIds = doc.job.tasks.map((t: { id: string }) => t.id);
});
test.afterAll(async () => {
  await fx?.close();
});

test('the report renders in Chromium with the verification and the screenshot trail', async () => {
  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${report}`);
    await expect(page.locator('#verification')).toHaveText(/^✔ verified: /);
    await expect(page.getByRole('img').first()).toBeVisible();
    // Stitch and Bill.com in one job: each section shows its own task's pictures only.
    expect(taskIds).toEqual(['t01-bigid', 't02-stitch', 't03-billcom']);
    const sections = await imagesPerSection(page);
    for (const [id, s] of Object.entries(sections)) {
      expect(s.shown, `${id} shows screenshots`).toBeGreaterThanOrEqual(2);
      expect(s.own, `${id}: images that are not this task's own files`).toBe(s.shown);
    }
    const shot = await page.screenshot({ fullPage: true });
    expect(shot.length).toBeGreaterThan(10_000);
  } finally {
    await browser.close();
  }
  expect((await cli(['jobs', 'verify', jobId, '--config', fx.configPath])).code).toBe(0);
});

test('an edited screenshot fails verification and the report says so', async () => {
  const taskDir = path.join(fx.dataDir, 'jobs', jobId, 't02-stitch');
  const shot = (await readdir(taskDir)).find((f) => f.endsWith('.jpg'))!;
  await appendFile(path.join(taskDir, shot), Buffer.from([0]));
  const verify = await cli(['jobs', 'verify', jobId, '--config', fx.configPath]);
  expect(verify.code).toBe(1);
  expect(verify.stdout).toContain(`t02-stitch/${shot}: edited`);
  const again = await cli(['--json', 'jobs', 'report', jobId, '--config', fx.configPath]);
  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(`file://${JSON.parse(again.stdout).report}`);
    await expect(page.locator('#verification')).toHaveText(/^✘ NOT verified: /);
    await expect(page.locator(`section#task-t02-stitch figure[data-file="${shot}"] figcaption`)).toContainText('does not match its recorded hash');
    for (const [id, s] of Object.entries(await imagesPerSection(page))) expect(s.own, `${id} after tampering`).toBe(s.shown);
  } finally {
    await browser.close();
  }
});

test('an edited audit record breaks the chain', async () => {
  const db = new Database(path.join(fx.dataDir, 'seatctl.db'));
  try {
    db.prepare("UPDATE audit SET data = '{\"status\":\"cancelled\"}' WHERE job_id = ? AND kind = 'finished'").run(jobId);
  } finally {
    db.close();
  }
  const verify = await cli(['--json', 'jobs', 'verify', jobId, '--config', fx.configPath]);
  expect(verify.code).toBe(1);
  expect(JSON.parse(verify.stdout).chain.ok).toBe(false);
});
