import { schedulerForApps } from '../../src/queue/scheduler.js';
import { test, expect } from '@playwright/test';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createConsoleRuntime } from '../../src/console/console-runtime.js';
import { buildJob } from '../../src/engine/build-job.js';
import { createRuntime } from '../../src/engine/runtime.js';
import { runJob } from '../../src/engine/run-job.js';
import { createLogger } from '../../src/log/logger.js';
import { actionRequestSchema } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, deactivations, describeTask, taskFor, userIn } from './console-truth.js';

/**
 * Bill.com sign-in as the driver does it unattended: password, MFA through the
 * authenticator app (TOTP; the SMS path needs a phone), "Trust this device" so later
 * logins skip MFA — also in a new process, from `<dataDir>/sessions/billcom.json` —
 * and the organization chooser when the login belongs to several orgs.
 */
const billcomOnly = ['billcom'];

interface SavedSession {
  cookies: { name: string; expires: number; httpOnly: boolean }[];
}
const savedSession = async (env: SimEnv): Promise<SavedSession> => JSON.parse(await readFile(path.join(env.config.dataDir, 'sessions', 'billcom.json'), 'utf8')) as SavedSession;

test.describe('MFA and trusted device', () => {
  test.describe.configure({ mode: 'serial' });
  let env: SimEnv;
  test.beforeAll(async () => {
    env = await startSimEnv(['billcom'], { users: 4 });
  });
  test.afterAll(async () => {
    await env?.close();
  });

  test('first login answers the TOTP challenge through the authenticator path and trusts the device', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: billcomOnly });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('changed');

    const truth = await billcomTruth(env);
    expect({ logins: truth.logins, mfaChallenges: truth.mfaChallenges, sessionsIssued: truth.sessionsIssued }).toEqual({ logins: 1, mfaChallenges: 1, sessionsIssued: 1 });
    expect(deactivations(truth, userIn(truth, 'jdoe@example.com').id)).toHaveLength(1);
    // The login's screenshots go to the task that needed it, the code masked.
    const captions = task.evidence.flatMap((e) => (e.kind === 'screenshot' ? [e.caption] : []));
    expect(captions).toEqual(expect.arrayContaining(['sign-in form (password masked)', 'MFA code (masked)']));

    const trusted = (await savedSession(env)).cookies.find((c) => c.name === 'trusted_device');
    expect(trusted, 'trusted-device cookie in the saved session').toBeDefined();
    expect(trusted!.expires).toBeGreaterThan(Date.now() / 1000 + 29 * 86_400);
  });

  test('a new engine on the same dataDir signs in again after the sessions expired, without MFA', async () => {
    test.setTimeout(150_000);
    const before = await billcomTruth(env);
    env.fixtures.billcom!.expireSessions();

    // A second process: its own browser and runtime, only the dataDir in common.
    const log = createLogger({ redactor: env.redactor, level: 'debug', destination: { write: (line: string) => void env.logs.push(line) } });
    const consoleRuntime = createConsoleRuntime({
      dataDir: env.config.dataDir,
      headless: true,
      executablePath: process.env.SEATCTL_TEST_CHROMIUM,
      recycleAfterContexts: env.config.browser.recycleAfterPages,
      screenshots: true,
      trace: true,
      log,
    });
    const runtime = createRuntime({ config: env.config, log, redactor: env.redactor, scheduler: schedulerForApps(env.config.apps, log), console: consoleRuntime });
    try {
      const job = await runJob(buildJob(actionRequestSchema.parse({ kind: 'offboard', email: 'asmith@example.com', apps: billcomOnly }), env.config), runtime);
      const task = taskFor(job, 'billcom');
      expect(task.outcome, describeTask(task)).toBe('changed');
      expect(consoleRuntime.logins.get('billcom')).toBe(1);
    } finally {
      await runtime.close();
    }

    const truth = await billcomTruth(env);
    expect(truth.logins).toBe(before.logins + 1);
    expect(truth.sessionsIssued).toBe(before.sessionsIssued + 1);
    expect(truth.mfaChallenges).toBe(before.mfaChallenges);
    expect(userIn(truth, 'asmith@example.com').status).toBe('Inactive');
  });
});

test.describe('organization chooser', () => {
  test('with options.organization the driver picks "Acme Corp" and works in that org only', async () => {
    test.setTimeout(150_000);
    const env = await startSimEnv(['billcom'], { users: 4, simulators: { billcom: { multiOrg: true } }, appConfig: { billcom: { options: { organization: 'Acme Corp' } } } });
    try {
      const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: billcomOnly });
      const task = taskFor(job, 'billcom');
      expect(task.outcome, describeTask(task)).toBe('changed');
      expect(task.evidence.some((e) => e.kind === 'screenshot' && e.caption === 'organization chooser')).toBe(true);

      const truth = await billcomTruth(env);
      const acme = truth.orgs.find((o) => o.name === 'Acme Corp')!;
      expect(truth.orgs.map((o) => o.name).sort()).toEqual(['Acme Corp', 'Acme Holdings']);
      // One deactivation, in Acme Corp: jdoe's Acme Holdings account is not touched.
      expect(truth.mutations).toHaveLength(1);
      expect(truth.mutations[0]).toMatchObject({ userId: userIn(truth, 'jdoe@example.com').id, body: { orgId: acme.id } });
      expect(userIn(truth, 'jdoe@example.com').status).toBe('Inactive');
    } finally {
      await env.close();
    }
  });

  test('without options.organization the task fails with a config error naming the option', async () => {
    test.setTimeout(150_000);
    const env = await startSimEnv(['billcom'], { users: 4, simulators: { billcom: { multiOrg: true } } });
    try {
      const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: billcomOnly });
      const task = taskFor(job, 'billcom');
      expect(task.outcome, describeTask(task)).toBe('failed');
      expect(task.error?.code).toBe('CONFIG_INVALID');
      expect(task.error?.message).toContain('options.organization');
      expect(task.error?.message).toContain('Acme Holdings');

      const truth = await billcomTruth(env);
      expect(truth.mutations).toEqual([]);
      // A config error is permanent: one sign-in, not one per retry.
      expect(truth.logins).toBe(1);
    } finally {
      await env.close();
    }
  });
});

test('a wrong password fails the task with AUTH_FAILED, never showing the password', async () => {
  test.setTimeout(150_000);
  const env = await startSimEnv(['billcom'], { users: 4 });
  const wrong = 'Wrong-Passw0rd-zq81';
  try {
    const secretFile = (env.config.apps.billcom!.credentials as Record<string, string>).password!.replace(/^file:/, '');
    await writeFile(secretFile, wrong, { mode: 0o600 });
    const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: billcomOnly });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('AUTH_FAILED');
    expect(task.error?.message).toMatch(/Incorrect email or password/);
    for (const secret of [wrong, env.fixtures.billcom!.credentials.password]) {
      expect(task.error?.message).not.toContain(secret);
      expect(JSON.stringify(job)).not.toContain(secret);
      expect(env.logs.join('\n')).not.toContain(secret);
    }

    const truth = await billcomTruth(env);
    expect({ logins: truth.logins, sessionsIssued: truth.sessionsIssued, mutations: truth.mutations }).toEqual({ logins: 0, sessionsIssued: 0, mutations: [] });
    expect(userIn(truth, 'jdoe@example.com').status).toBe('Active');
  } finally {
    await env.close();
  }
});
