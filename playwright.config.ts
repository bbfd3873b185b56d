import { defineConfig } from '@playwright/test';

/**
 * One runner for everything. Projects so that non-browser tests never start
 * Chromium: `node` (drivers, engine, CLI, simulators over HTTP), `scale` (test/scale:
 * worker processes on Redis and PostgreSQL, one test at a time) and `browser`
 * (console flows and anything else that needs a real Chromium, files *.browser.spec.ts),
 * then `secret-scan`, which runs once both are done.
 */
export default defineConfig({
  testDir: './test',
  globalSetup: './test/global-setup.ts',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  workers: process.env.SEATCTL_TEST_WORKERS ? Number(process.env.SEATCTL_TEST_WORKERS) : 2,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/results.json' }]] : [['list']],
  projects: [
    { name: 'node', testIgnore: [/\.browser\.spec\.ts$/, /secret-scan\.final\.ts$/, /test\/scale\//] },
    // Scale-out tests start several seatctl processes each (workers, serve, a private
    // Redis or PostgreSQL): one at a time, beside the other projects, so two of them
    // never share the machine's two cores.
    { name: 'scale', testMatch: /test\/scale\/.*(?<!\.browser)\.spec\.ts$/, workers: 1, timeout: 300_000 },
    { name: 'browser', testMatch: /\.browser\.spec\.ts$/, testIgnore: /secret-scan\.final\.ts$/, timeout: 120_000 },
    // After everything else: every file the tests left under test-results/scan-root/
    // (data dirs, evidence, unzipped traces, reports, logs, CLI output) is scanned for
    // every secret and token (docs/security.md).
    { name: 'secret-scan', testMatch: /secret-scan\.final\.ts$/, dependencies: ['node', 'browser', 'scale'] },
  ],
});
