import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { chromium } from 'playwright';
import { LAUNCH_ARGS, resolveChromium } from '../../src/browser/resolve-chromium.js';
import { jobDir } from '../../src/audit/job-folder.js';
import type { Job } from '../../src/model/index.js';
import { registerSecret } from '../support/scan-root.js';
import { startAcmeEnv, type AcmeEnv } from './acme-env.js';

/**
 * Evidence that tells the truth, through a driver written outside src/ (test/sdk/acme):
 * a provision that types a generated first password leaves no trace of it (issue item 5),
 * and a console whose users table never appears fails naming the locator and the
 * console's own message, in the task and in the log (item 13).
 */
test.describe.configure({ mode: 'serial' });
let env: AcmeEnv;

test.beforeAll(async () => {
  env = await startAcmeEnv();
});
test.afterAll(async () => env?.close());

/** Every entry of a zip, as bytes. */
const entries = (file: string): Buffer[] => {
  const data = readFileSync(file);
  return Object.values(unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
};
const holds = (file: string, value: string) => entries(file).some((b) => b.includes(Buffer.from(value, 'utf8')));

/** The task's trace files, optionally only those of one phase (from the evidence record, not the file name). */
const traces = (job: Job, phase?: string) =>
  job.tasks[0]!.evidence.flatMap((e) => (e.kind === 'trace' && 'path' in e && e.path && (phase === undefined || e.phase === phase) ? [path.join(jobDir(env.dataDir, job.id), job.tasks[0]!.id, e.path)] : []));

test('secrets #5: a provision trace, unzipped, holds no typed secret (the generated first password)', async () => {
  test.setTimeout(120_000);
  const job = await env.run({ kind: 'provision', email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', roles: { acme: 'Member' } });
  const task = job.tasks[0]!;
  expect(task.outcome, JSON.stringify(task.error)).toBe('changed');
  // Ground truth: the simulator received the password the flow typed.
  const created = env.acme.state().users.find((u) => u.email === 'new.hire@example.com');
  expect(created).toMatchObject({ role: 'Member', status: 'Active' });
  const password = created!.initialPassword!;
  expect(password.length).toBeGreaterThanOrEqual(20);
  registerSecret(password, 'acme generated first password');

  // The provision call's trace is two files: up to the secret step, and after it.
  const provisionTraces = traces(job, 'provision');
  expect(provisionTraces).toHaveLength(2);
  for (const file of provisionTraces) expect(holds(file, password), path.basename(file)).toBe(false);
  // They did record the rest of the flow: the email typed before the step, the read-back after it.
  expect(holds(provisionTraces[0]!, 'new.hire@example.com')).toBe(true);
  expect(holds(provisionTraces[1]!, 'New Hire')).toBe(true);
  // Nor anywhere else in the task's evidence or the logs.
  for (const e of task.evidence) expect(JSON.stringify(e)).not.toContain(password);
  expect(env.logs.join('\n')).not.toContain(password);
});

test('secrets #5 (control): the same password typed with the trace on is found by the same search', async () => {
  test.setTimeout(60_000);
  const value = `ctl-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  // Outside the scan root, and removed: this trace holds the value on purpose.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-trace-control-'));
  const browser = await chromium.launch({ executablePath: resolveChromium({ configured: process.env.SEATCTL_TEST_CHROMIUM }).path, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext();
    await context.tracing.start({ screenshots: true, snapshots: true });
    const page = await context.newPage();
    await page.goto(`${env.acme.url}/login`);
    await page.getByLabel('Password').fill(value);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    const file = path.join(dir, 'unpaused.zip');
    await context.tracing.stop({ path: file });
    expect(holds(file, value)).toBe(true);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('errors #13: a users table that never appears is LOCATOR_NOT_FOUND naming the locator, with the console message in the task and the log', async () => {
  test.setTimeout(120_000);
  const said = 'The users list is unavailable during maintenance (until 14:00 UTC).';
  env.acme.usersUnavailable(said);
  try {
    const before = env.acme.state().mutations.length;
    const job = await env.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['acme'] });
    const task = job.tasks[0]!;
    expect(task.outcome).toBe('failed');
    expect(task.error).toMatchObject({ code: 'LOCATOR_NOT_FOUND', details: { locator: 'usersTable', message: said } });
    expect(task.error?.message).toBe(`acme: locator "usersTable" did not appear within 5000 ms — has the console changed?; the console says: "${said}"`);
    // Permanent: no retry spent four more timeouts on it.
    expect(task.evidence.filter((e) => e.kind === 'note' && /retry after/.test(e.text))).toEqual([]);
    const logged = env.logs.map((l) => JSON.parse(l) as { code?: string; msg?: string }).filter((l) => l.code === 'LOCATOR_NOT_FOUND');
    expect(logged.map((l) => l.msg)).toContain(task.error!.message);
    expect(env.acme.state().mutations).toHaveLength(before);
  } finally {
    env.acme.usersUnavailable(null);
  }
});
