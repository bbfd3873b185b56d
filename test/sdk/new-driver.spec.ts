import { test, expect } from '@playwright/test';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfigFile } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { cli } from '../support/cli-run.js';
import { startBetaApi } from './beta/beta-api.js';

/**
 * `seatctl new-driver` writes a driver folder that loads as it is, never overwrites,
 * and validates what the user typed. The API starter runs unchanged against an app
 * that happens to match its guesses (Beta CRM with an API key).
 */
let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-new-driver-'));
});
test.afterEach(async () => rm(dir, { recursive: true, force: true }));

test('a console scaffold: driver, locators, smoke test, its config, README; loads through a config', async () => {
  const result = await cli(['--json', 'new-driver', 'acme', '--kind', 'console'], {}, dir);
  expect(result.code, result.stderr).toBe(0);
  const files = JSON.parse(result.stdout).driver.files.map((f: string) => path.relative(dir, f)).sort();
  // /tmp has no package.json saying "module", so the folder gets one.
  expect(files).toEqual(['README.md', 'driver.ts', 'locators.ts', 'package.json', 'playwright.config.ts', 'smoke.spec.ts'].map((f) => path.join('drivers', 'acme', f)));
  const driver = await readFile(path.join(dir, 'drivers/acme/driver.ts'), 'utf8');
  expect(driver).toContain("from 'seatctl'");
  expect(await readFile(path.join(dir, 'drivers/acme/locators.ts'), 'utf8')).toContain('TODO');
  expect(await readFile(path.join(dir, 'drivers/acme/smoke.spec.ts'), 'utf8')).toContain('SEATCTL_SMOKE_URL');
  expect(await readFile(path.join(dir, 'drivers/acme/README.md'), 'utf8')).toContain('"driver": "./drivers/acme/driver.ts"');

  const config = path.join(dir, 'seatctl.config.json');
  await writeFile(config, JSON.stringify({ apps: { acme: { driver: './drivers/acme/driver.ts', baseUrl: 'https://acme.example.com', credentials: { email: 'a@example.com', password: 'env:ACME_PASSWORD' } } } }));
  const loaded = await loadConfigFile(config, builtInDrivers());
  expect(loaded.apps.acme!.definition).toMatchObject({ name: 'acme-ui', kind: 'console', secretFields: ['password'] });
});

test('it refuses to overwrite, and checks the name and the kind (exit 2)', async () => {
  expect((await cli(['new-driver', 'acme', '--kind', 'api', '--dir', 'x'], {}, dir)).code).toBe(0);
  const before = await readFile(path.join(dir, 'x', 'driver.ts'), 'utf8');
  const again = await cli(['new-driver', 'acme', '--kind', 'console', '--dir', 'x'], {}, dir);
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('already exist');
  expect(again.stderr).toContain('nothing was written');
  expect(await readFile(path.join(dir, 'x', 'driver.ts'), 'utf8')).toBe(before);

  const badName = await cli(['new-driver', 'Acme_CRM', '--kind', 'api'], {}, dir);
  expect(badName.code).toBe(2);
  expect(badName.stderr).toContain('name: "Acme_CRM" must be lower-case letters, digits and dashes');
  const badKind = await cli(['new-driver', 'acme', '--kind', 'web'], {}, dir);
  expect(badKind.code).toBe(2);
  expect(badKind.stderr).toContain('--kind: expected console or api, got "web"');
  expect((await cli(['new-driver', 'acme'], {}, dir)).code).toBe(2);
});

test('the API starter, unchanged, offboards through the engine against an app that fits its guesses', async () => {
  const beta = await startBetaApi();
  try {
    expect((await cli(['new-driver', 'beta', '--kind', 'api'], {}, dir)).code).toBe(0);
    const config = path.join(dir, 'seatctl.config.json');
    await writeFile(config, JSON.stringify({ dataDir: 'data', apps: { beta: { driver: './drivers/beta/driver.ts', baseUrl: beta.url, credentials: { apiKey: 'env:BETA_API_KEY' } } } }));
    const env = { BETA_API_KEY: beta.credentials.apiKey };
    const dry = await cli(['--json', 'offboard', 'jdoe@example.com', '--dry-run', '--config', config], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).job.tasks[0].outcome).toBe('planned');
    expect(beta.state().mutations).toHaveLength(0);
    const real = await cli(['--json', 'offboard', 'jdoe@example.com', '--yes', '--config', config], env);
    expect(real.code, real.stderr).toBe(0);
    expect(JSON.parse(real.stdout).job.tasks[0].outcome).toBe('changed');
    expect(beta.state().users.find((u) => u.email === 'jdoe@example.com')!.active).toBe(false);
  } finally {
    await beta.close();
  }
});
