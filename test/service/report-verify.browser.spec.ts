import { test, expect } from '@playwright/test';
import { chromium } from 'playwright';
import Database from 'better-sqlite3';
import { appendFile, mkdtemp, readdir } from 'node:fs/promises';
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

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-report-'));
  fx = await launchFixtures({ dir, apps: ['bigid', 'stitch'] });
  const run = await cli(['--json', 'offboard', 'jdoe@example.com', '--yes', '--config', fx.configPath]);
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout);
  jobId = doc.job.id;
  report = doc.report;
});
test.afterAll(async () => {
  await fx?.close();
});

test('the report renders in Chromium with the verification and the screenshot trail', async () => {
  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(`file://${report}`);
    await expect(page.locator('#verification')).toContainText('✔ verified');
    await expect(page.getByRole('img').first()).toBeVisible();
    expect(await page.getByRole('img').count()).toBeGreaterThanOrEqual(3);
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
    await expect(page.locator('#verification')).toContainText('NOT verified');
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
