import { test, expect } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { groundTruth } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

let fx: LaunchedFixtures;
test.beforeAll(async () => {
  fx = await launchFixtures({ dir: await mkdtemp(path.join(scanRoot(), 'seatctl-refused-')), apps: ['bigid', 'sigma', 'stitch'] });
});
test.afterAll(async () => fx?.close());

const mutationCounts = async () =>
  Object.fromEntries(await Promise.all(Object.entries(fx.apps).map(async ([app, a]) => [app, (await groundTruth(a!.stateUrl)).mutations.length] as const)));

test('validation #11: a bad role in one app creates the person in no app (exit 2, no mutation anywhere)', async () => {
  const r = await cli(['--json', 'provision', '--email', 'kim@example.com', '--first-name', 'Kim', '--last-name', 'Lee', '--role', 'bigid=Viewer,sigma=Overlord,stitch=General User', '--yes', '--config', fx.configPath]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain('plan refused, nothing was changed');
  expect(r.stderr).toContain('sigma: unknown role(s) "Overlord"');
  const doc = JSON.parse(r.stdout);
  expect(doc.job.status).toBe('failed');
  const byApp = Object.fromEntries(doc.job.tasks.map((t: { app: string; outcome: string | null; error?: { code: string } }) => [t.app, t.error?.code ?? t.outcome]));
  expect(byApp).toEqual({ bigid: null, sigma: 'ROLE_INVALID', stitch: null });
  // Ground truth: nobody was created anywhere.
  expect(await mutationCounts()).toEqual({ bigid: 0, sigma: 0, stitch: 0 });
  for (const app of ['bigid', 'sigma', 'stitch'] as const) {
    const users = (await groundTruth(fx.apps[app]!.stateUrl)).users as { email?: string }[];
    expect(users.some((u) => u.email === 'kim@example.com'), app).toBe(false);
  }
});

test('validation #11: set-role with a bad role in one app changes no app', async () => {
  const r = await cli(['--json', 'set-role', 'jdoe@example.com', '--role', 'bigid=Auditor,sigma=Overlord', '--yes', '--config', fx.configPath]);
  expect(r.code, r.stderr).toBe(2);
  const tasks = JSON.parse(r.stdout).job.tasks as { app: string; outcome: string | null; detail: string; error?: { code: string } }[];
  expect(tasks.map((t) => [t.app, t.error?.code ?? t.outcome])).toEqual([['bigid', null], ['sigma', 'ROLE_INVALID']]);
  expect(tasks[0]!.detail).toContain('not applied: the plan was refused');
  expect(await mutationCounts()).toEqual({ bigid: 0, sigma: 0, stitch: 0 });
  // The same request with valid roles goes through: the refusal was the role, not the setup.
  const ok = await cli(['--json', 'set-role', 'jdoe@example.com', '--role', 'bigid=Auditor,sigma=Viewer', '--yes', '--config', fx.configPath]);
  expect(ok.code, ok.stderr).toBe(0);
  expect((await mutationCounts()).bigid).toBe(1);
});
