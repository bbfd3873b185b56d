import { test, expect } from '@playwright/test';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema } from '../../src/model/index.js';
import { cli } from '../support/cli-run.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, describeTask, stitchTruth, taskFor, userIn } from './console-truth.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * A console redesign (the simulators' `layout: 'v2'`): the flows' locators stop
 * matching. Offboarding must fail with LOCATOR_NOT_FOUND naming the locator and click
 * nothing; `seatctl doctor` must say which locator broke and show a screenshot.
 */
const apps = ['stitch', 'billcom'];

test.describe('offboarding against the redesigned consoles', () => {
  let env: SimEnv | undefined;
  test.afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  test('v2 on both consoles: LOCATOR_NOT_FOUND naming the locator, zero mutations', async () => {
    test.setTimeout(240_000);
    env = await startSimEnv(['stitch', 'billcom'], { users: 4, simulators: { stitch: { layout: 'v2' }, billcom: { layout: 'v2' } } });
    const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps });

    const stitch = taskFor(job, 'stitch');
    const billcom = taskFor(job, 'billcom');
    for (const task of [stitch, billcom]) {
      expect(task.outcome, describeTask(task)).toBe('failed');
      expect(task.error?.code).toBe('LOCATOR_NOT_FOUND');
    }
    // Stitch: the members table is now "People" — the plan's find already fails.
    expect(stitch.error?.details?.locator).toBe('membersTable');
    expect(stitch.error?.message).toContain('"membersTable"');
    // Bill.com: the users table kept its name, so the plan found jdoe; the trash can is now "Remove user".
    expect(billcom.plan?.operations).toEqual(['deactivate']);
    expect(billcom.error?.details?.locator).toBe('deactivateButton');
    expect(billcom.error?.message).toContain('"deactivateButton"');
    // The failure is photographed.
    expect(billcom.evidence.some((e) => e.kind === 'screenshot' && e.caption === 'page at the failure')).toBe(true);

    const s = await stitchTruth(env);
    const b = await billcomTruth(env);
    expect(s.mutations).toEqual([]);
    expect(b.mutations).toEqual([]);
    expect(userIn(s, 'jdoe@example.com').status).toBe('Active');
    expect(userIn(b, 'jdoe@example.com').status).toBe('Active');
  });

  test('Stitch redesigned between plan and change: the change fails on a named locator, nothing clicked', async () => {
    test.setTimeout(180_000);
    // Visits off: within the visit window the change would continue the Team Members page
    // the plan loaded before the redesign (docs/consoles.md, "Console visits"); this test is
    // about a change that meets the redesigned page.
    env = await startSimEnv(['stitch'], { users: 4, appConfig: { stitch: { options: { visitWindowMs: 0 } } } });
    const sim = env.fixtures.stitch!;
    let switched = false;
    const job = await runToEnd(env.runtime, actionRequestSchema.parse({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] }), { approvals: NO_APPROVAL_GATE,
      onTask: (t) => {
        if (t.plan && !t.outcome && !switched) {
          switched = true;
          sim.setLayout('v2');
        }
      },
    });
    const task = taskFor(job, 'stitch');
    expect(switched).toBe(true);
    expect(task.plan?.operations).toEqual(['deactivate']);
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('LOCATOR_NOT_FOUND');
    expect(typeof task.error?.details?.locator).toBe('string');
    expect(task.error?.message).toContain(`"${String(task.error?.details?.locator)}"`);

    const s = await stitchTruth(env);
    expect(s.mutations).toEqual([]);
    expect(userIn(s, 'jdoe@example.com').status).toBe('Active');
  });
});

test.describe('seatctl doctor', () => {
  test.describe.configure({ mode: 'serial' });
  let dir: string;
  let fixtures: LaunchedFixtures;
  test.beforeAll(async () => {
    dir = await mkdtemp(path.join(scanRoot(), 'seatctl-drift-'));
    fixtures = await launchFixtures({
      dir,
      apps: ['stitch', 'billcom'],
      users: 4,
      simulators: { stitch: { layout: 'v2' }, billcom: { layout: 'v2' } },
      config: { browser: { executablePath: process.env.SEATCTL_TEST_CHROMIUM ?? '/usr/lib/chromium/chromium' } },
    });
  });
  test.afterAll(async () => {
    await fixtures?.close();
  });

  interface DoctorDoc {
    doctor: { ok: boolean; apps: { app: string; ok: boolean; error?: { code: string; message: string; locator?: string; screenshot?: string } }[] };
  }

  test('against v2: exit non-zero, each app names its broken locator and a screenshot on disk', async () => {
    test.setTimeout(240_000);
    const result = await cli(['doctor', '--json', '--config', fixtures.configPath]);
    expect(result.code, result.stderr).not.toBe(0);
    const doc = JSON.parse(result.stdout) as DoctorDoc;
    expect(doc.doctor?.ok, result.stdout).toBe(false);
    const byApp = Object.fromEntries(doc.doctor.apps.map((a) => [a.app, a]));
    // The canary walks the path a person would: the v2 nav link is "People & access".
    expect(byApp.stitch).toMatchObject({ ok: false, error: { code: 'LOCATOR_NOT_FOUND', locator: 'stitch-ui.teamNav' } });
    // Bill.com v2 renamed the heading "Users" to "Team".
    expect(byApp.billcom).toMatchObject({ ok: false, error: { code: 'LOCATOR_NOT_FOUND', locator: 'billcom-ui.usersHeading' } });
    for (const app of apps) {
      const shot = byApp[app]!.error?.screenshot;
      expect(shot, `${app}: screenshot path`).toBeTruthy();
      expect(existsSync(shot!), `${app}: ${shot} on disk`).toBe(true);
    }
    // Doctor is read-only.
    expect((await (await fetch(fixtures.apps.stitch!.stateUrl)).json()).mutations).toEqual([]);
    expect((await (await fetch(fixtures.apps.billcom!.stateUrl)).json()).mutations).toEqual([]);
  });

  test('against v1: exit 0, every app ok', async () => {
    test.setTimeout(240_000);
    fixtures.stitch!.setLayout('v1');
    fixtures.billcom!.setLayout('v1');
    const result = await cli(['doctor', '--json', '--config', fixtures.configPath]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const doc = JSON.parse(result.stdout) as DoctorDoc;
    expect(doc.doctor?.ok, result.stdout).toBe(true);
    expect(doc.doctor.apps.map((a) => `${a.app}:${a.ok}`)).toEqual(['billcom:true', 'stitch:true']);
  });
});
