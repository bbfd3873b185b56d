import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cliProcess } from '../support/cli-run.js';
import { startBetaApi, type BetaApi } from '../sdk/beta/beta-api.js';

/**
 * A driver author's folder lives outside seatctl's checkout: no node_modules, no
 * Playwright download. `seatctl test-driver` runs its smoke test anyway.
 */
let dir: string;
let beta: BetaApi;
test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-driver-author-'));
  beta = await startBetaApi();
});
test.afterEach(async () => {
  await beta.close();
  await rm(dir, { recursive: true, force: true });
});

test('test-driver #17: the scaffold smoke test runs from a folder outside the checkout (exit 0), and a broken driver fails it (exit 1)', async () => {
  test.setTimeout(180_000);
  expect(path.relative(process.cwd(), dir).startsWith('..')).toBe(true);
  const made = await cliProcess(['new-driver', 'beta', '--kind', 'api', '--dir', path.join(dir, 'beta')]);
  expect(made.code, made.stderr).toBe(0);
  const env = { BETA_API_KEY: beta.credentials.apiKey };

  const ok = await cliProcess(['test-driver', path.join(dir, 'beta'), '--url', beta.url, '--email', 'jdoe@example.com'], env);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stderr).toContain('1 passed');
  // The smoke test found jdoe in the app (it asserts the email) and changed nothing.
  expect(ok.stderr).toContain('beta: sign in and read users (read-only)');
  expect(beta.state().mutations).toHaveLength(0);

  // Break the driver: it now lists users from a path the app does not have.
  const file = path.join(dir, 'beta', 'driver.ts');
  await writeFile(file, (await readFile(file, 'utf8')).replace("path: '/users', query", "path: '/no-such-users', query"));
  const broken = await cliProcess(['test-driver', path.join(dir, 'beta'), '--url', beta.url], env);
  expect(broken.code, broken.stderr).toBe(1);
  expect(broken.stderr).toContain('1 failed');
});

test('test-driver #17: no URL or no smoke test is a usage error (exit 2)', async () => {
  expect((await cliProcess(['new-driver', 'beta', '--kind', 'api', '--dir', path.join(dir, 'beta')])).code).toBe(0);
  const noUrl = await cliProcess(['test-driver', path.join(dir, 'beta')], { SEATCTL_SMOKE_URL: '' });
  expect(noUrl.code).toBe(2);
  expect(noUrl.stderr).toContain('--url');
  const noSmoke = await cliProcess(['test-driver', dir, '--url', beta.url]);
  expect(noSmoke.code).toBe(2);
  expect(noSmoke.stderr).toContain('smoke.spec.ts is missing');
});
