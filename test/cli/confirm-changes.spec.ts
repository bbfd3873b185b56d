import { test, expect } from '@playwright/test';
import { groundTruth, startApiEnv, writeCliConfig, type ApiEnv } from '../support/api-env.js';
import { cliProcess, type CliResult } from '../support/cli-run.js';

// Each test spawns the built CLI several times (about 2 s each idle, far more on a loaded machine).
test.describe.configure({ timeout: 180_000 });

let env: ApiEnv;
let configFile: string;
test.beforeEach(async () => {
  env = await startApiEnv();
  configFile = writeCliConfig(env);
});
test.afterEach(async () => env.close());

/**
 * The built CLI with stdin and stdout both pipes, as in `echo y | seatctl … | tee log`:
 * a "y" on a pipe is not a person's answer and must not count as one.
 */
const piped = (args: string[], input = 'y\n'): Promise<CliResult> => cliProcess([...args, '--config', configFile], {}, { input });

const mutations = async () => ({ bigid: (await groundTruth(env.bigid.stateUrl)).mutations.length, sigma: (await groundTruth(env.sigma.stateUrl)).mutations.length });

test('confirm #14: without a terminal a change needs --yes; nothing is changed without it', async () => {
  for (const args of [
    ['set-role', 'jdoe@example.com', '--role', 'bigid=Auditor'],
    ['--json', 'set-role', 'jdoe@example.com', '--role', 'bigid=Auditor'],
    ['offboard', 'jdoe@example.com', '--apps', 'bigid,sigma'],
    ['provision', '--email', 'newbie@example.com', '--first-name', 'New', '--last-name', 'Bie', '--role', 'sigma=Viewer'],
  ]) {
    const r = await piped(args);
    expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(r.stderr).toContain('not a TTY');
  }
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });
  const jdoe = (await groundTruth(env.bigid.stateUrl)).users.find((u) => u.email === 'jdoe@example.com')!;
  expect(jdoe.role).not.toBe('Auditor');
});

test('confirm #14: --dry-run needs no --yes and changes nothing; --yes applies', async () => {
  const dry = await piped(['--json', 'offboard', 'jdoe@example.com', '--apps', 'bigid,sigma', '--dry-run']);
  expect(dry.code, dry.stderr).toBe(0);
  expect(JSON.parse(dry.stdout).job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['planned', 'planned']);
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });

  const real = await piped(['--json', 'offboard', 'jdoe@example.com', '--apps', 'bigid,sigma', '--yes']);
  expect(real.code, real.stderr).toBe(0);
  expect(JSON.parse(real.stdout).job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['changed', 'changed']);
  expect(await mutations()).toEqual({ bigid: 1, sigma: 1 });
  const bigid = (await groundTruth(env.bigid.stateUrl)).users.find((u) => u.email === 'jdoe@example.com')!;
  expect(bigid.isEnabled).toBe(false);
});
