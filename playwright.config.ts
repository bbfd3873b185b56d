import { defineConfig } from '@playwright/test';

/**
 * One runner for everything. Two projects so that non-browser tests never start
 * Chromium: `node` (drivers, engine, CLI, simulators over HTTP) and `browser`
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
    { name: 'node', testIgnore: [/\.browser\.spec\.ts$/, /secret-scan\.final\.ts$/] },
    { name: 'browser', testMatch: /\.browser\.spec\.ts$/, testIgnore: /secret-scan\.final\.ts$/, timeout: 120_000 },
    // After everything else: every file the tests left under test-results/scan-root/
    // (data dirs, evidence, unzipped traces, reports, logs, CLI output) is scanned for
    // every secret and token (docs/security.md).
    { name: 'secret-scan', testMatch: /secret-scan\.final\.ts$/, dependencies: ['node', 'browser'] },
  ],
});
