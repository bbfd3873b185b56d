import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { groundTruth, startApiEnv, writeCliConfig, type ApiEnv } from '../support/api-env.js';
import { cli, cliProcess } from '../support/cli-run.js';

let env: ApiEnv;
let configFile: string;
test.beforeEach(async () => {
  env = await startApiEnv();
  configFile = writeCliConfig(env);
});
test.afterEach(async () => env.close());

test('small #18: seatctl --version prints the version from package.json', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const r = await cliProcess(['--version']);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(`${pkg.version}\n`);
});

test('small #18: jobs show prints the task notes (a SAML user must also be disabled in the IdP)', async () => {
  const saml = (await groundTruth(env.bigid.stateUrl)).users.find((u) => u.email === 'samlsam@example.com')!;
  expect(saml.origin).toBe('saml');
  const run = await cli(['--json', 'offboard', 'samlsam@example.com', '--apps', 'bigid', '--yes', '--config', configFile]);
  expect(run.code, run.stderr).toBe(0);
  const doc = JSON.parse(run.stdout);
  const notes = doc.job.tasks[0].notes as string[];
  expect(notes.some((n) => /IdP/.test(n))).toBe(true);
  expect((await groundTruth(env.bigid.stateUrl)).users.find((u) => u.email === 'samlsam@example.com')!.isEnabled).toBe(false);
  const shown = await cli(['jobs', 'show', doc.job.id, '--config', configFile]);
  expect(shown.code, shown.stderr).toBe(0);
  for (const n of notes) expect(shown.stdout).toContain(`note: ${n}`);
});

test('small #18: an offboarding that finds the person in no app says so plainly', async () => {
  const r = await cli(['offboard', 'jdoe@exmaple.com', '--yes', '--config', configFile]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain('not found in any app: check the address (jdoe@exmaple.com); nothing was changed');
  expect(r.stdout.match(/not_found/g)).toHaveLength(2);
  const json = await cli(['--json', 'offboard', 'jdoe@exmaple.com', '--yes', '--config', configFile]);
  expect(json.stderr).toContain('not found in any app: check the address');
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
  expect((await groundTruth(env.sigma.stateUrl)).mutations).toHaveLength(0);
  // Found in one app: no such line.
  const found = await cli(['offboard', 'jdoe@example.com', '--yes', '--config', configFile]);
  expect(found.code, found.stderr).toBe(0);
  expect(found.stdout).not.toContain('not found in any app');
});
