import { test, expect, chromium } from '@playwright/test';
import path from 'node:path';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { createTokenPrincipals } from '../../src/auth/token-principals.js';
import { DEFAULT_APPROVALS } from '../../src/config/approval-schema.js';
import { createService } from '../../src/service/service.js';
import { openJobStore } from '../../src/store/index.js';
import { registerSecret } from '../support/scan-root.js';
import { startSimEnv } from '../support/sim-env.js';

/**
 * Issue 13 item 3 (web console): a console task's screenshot trail and its trace, as an
 * auditor sees them on the job page, served through the job-folder guard.
 */
const AUDITOR = 'erin-auditor-token-console-0005';

test('a console job\'s page shows its screenshot trail and offers its trace, inside the job folder only', async () => {
  registerSecret(AUDITOR, 'console auditor token');
  const sim = await startSimEnv(['stitch']);
  const service = createService({
    config: sim.config,
    runtime: sim.runtime,
    store: await openJobStore(sim.config),
    approvals: DEFAULT_APPROVALS,
    log: sim.runtime.log,
    auth: createAuthenticator(createTokenPrincipals([{ name: 'erin', roles: ['auditor'], token: AUDITOR }])),
  });
  await service.start();
  await service.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(service.app.server.address() as { port: number }).port}`;
  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM });
  try {
    const { stored } = await service.engine.submit({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'], mode: 'deactivate', dryRun: false, requireApproval: false }, { requestedBy: 'token:someone' });
    const done = await service.engine.process(stored.job.id);
    expect(done.job.status).toBe('succeeded');
    const shots = done.job.tasks[0]!.evidence.filter((e) => e.kind === 'screenshot');
    expect(shots.length).toBeGreaterThan(0);

    const page = await (await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto('/sign-in');
    await page.getByLabel('Token').fill(AUDITOR);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.goto(`/jobs/${done.job.id}`);
    const imgs = page.locator('.thumbs img');
    await expect(imgs).toHaveCount(shots.length);
    // Each thumbnail really loaded (a blocked or 404 image has naturalWidth 0).
    // Polled, each scrolled into view: the thumbnails load lazily, so the count can be
    // right while the last ones are still arriving (seen in CI).
    for (const img of await imgs.all()) {
      await img.scrollIntoViewIfNeeded();
      await expect.poll(() => img.evaluate((el: HTMLImageElement) => (el.complete ? el.naturalWidth : 0))).toBeGreaterThan(0);
    }
    await page.screenshot({ path: path.join('test-results', 'console-screens', 'job-evidence.png'), fullPage: true });

    const trace = page.getByRole('link', { name: /^Trace:/ }).first();
    await expect(trace).toBeVisible();
    const [download] = await Promise.all([page.waitForEvent('download'), trace.click()]);
    const file = await download.path();
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(file!)).subarray(0, 2).toString()).toBe('PK');

    // The file route is held to the job folder, however the path is spelled.
    for (const bad of ['../../seatctl.sqlite', '%2e%2e/%2e%2e/seatctl.sqlite', `${done.job.tasks[0]!.id}/..%2f..%2f..%2fseatctl.sqlite`]) {
      const r = await page.request.get(`/jobs/${done.job.id}/files/${bad}`);
      expect([400, 404], bad).toContain(r.status());
    }
  } finally {
    await browser.close();
    await service.stop(5000);
    await sim.close();
  }
});
