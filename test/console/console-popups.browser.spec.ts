import { test, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, deactivations, describeTask, stitchTruth, taskFor, userIn } from './console-truth.js';

/**
 * Pop-ups that land at random over a flow: a "What's new" modal on every signed-in
 * page render and a cookie banner with a full-page backdrop. The drivers' locator
 * handlers dismiss them, so offboarding goes through on both consoles.
 */
let env: SimEnv;
const popups = { whatsNewModalRate: 1, cookieBanner: true };

test.beforeAll(async () => {
  env = await startSimEnv(['stitch', 'billcom'], { users: 4, simulators: { stitch: { consoleFaults: popups }, billcom: { consoleFaults: popups } } });
});
test.afterAll(async () => {
  await env?.close();
});

test('offboarding succeeds on both consoles with the what\'s-new modal on every page and a cookie banner', async () => {
  test.setTimeout(180_000);
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch', 'billcom'] });
  for (const app of ['stitch', 'billcom']) expect(taskFor(job, app).outcome, describeTask(taskFor(job, app))).toBe('changed');

  // The faults were really on while the job ran.
  const stitch = await stitchTruth(env);
  const billcom = await billcomTruth(env);
  for (const s of [stitch, billcom] as { consoleFaults?: typeof popups }[]) expect(s.consoleFaults).toMatchObject(popups);

  const sJdoe = userIn(stitch, 'jdoe@example.com');
  const bJdoe = userIn(billcom, 'jdoe@example.com');
  expect(sJdoe.status).toBe('Deactivated');
  expect(bJdoe.status).toBe('Inactive');
  expect(deactivations(stitch, sJdoe.id)).toHaveLength(1);
  expect(deactivations(billcom, bJdoe.id)).toHaveLength(1);
  expect(stitch.mutations).toHaveLength(1);
  expect(billcom.mutations).toHaveLength(1);

  // The banner was answered ("Accept all" sets the consent cookie), in the saved session.
  const cookies = async (app: string) =>
    (JSON.parse(await readFile(path.join(env.config.dataDir, 'sessions', `${app}.json`), 'utf8')) as { cookies: { name: string; value: string }[] }).cookies;
  expect((await cookies('stitch')).map((c) => c.name)).toContain('stitch_cookie_consent');
  expect(await cookies('billcom')).toContainEqual(expect.objectContaining({ name: 'cookie_consent', value: 'accepted' }));
});
