import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { SeatctlError } from '../../src/errors/index.js';
import { cli } from '../support/cli-run.js';
import { doorsConfig } from './routing-env.js';
import { startTwoDoorApp, type TwoDoorApp } from './two-door-app.js';

/**
 * `drivers: [...]` in the config: each entry checked by its own driver's schemas, with
 * errors naming `apps.<name>.drivers[i].<field>`; the single `driver` form unchanged;
 * and `offboard --transfer-to` validated at the CLI with exit 2 naming the field.
 */
const where = { source: 'test.json', baseDir: process.cwd() };
const sigmaApi = { driver: 'sigma-api', baseUrl: 'https://api.sigmacomputing.com/v2', credentials: { clientId: 'c', clientSecret: 'env:SIGMA_SECRET' } };
const scim = { driver: 'scim2', baseUrl: 'https://scim.example.com/scim/v2', credentials: { token: 'env:SCIM_TOKEN' }, options: { roles: ['Viewer'] } };

function configError(apps: Record<string, unknown>): string {
  try {
    parseConfig({ apps }, builtInDrivers(), where);
  } catch (err) {
    expect(err).toBeInstanceOf(SeatctlError);
    expect((err as SeatctlError).code).toBe('CONFIG_INVALID');
    return (err as SeatctlError).message;
  }
  throw new Error('the config was accepted');
}

test('a list of drivers resolves in order; the app cap is the sum of the entries unless the app sets one', () => {
  const config = parseConfig({ apps: { sigma: { drivers: [sigmaApi, { ...scim, concurrency: 3, rateLimit: { intervalMs: 1000, intervalCap: 5 } }] } } }, builtInDrivers(), where);
  const app = config.apps.sigma!;
  expect(app.drivers.map((d) => d.definition.name)).toEqual(['sigma-api', 'scim2']);
  expect(app.drivers.map((d) => d.field)).toEqual(['apps.sigma.drivers[0]', 'apps.sigma.drivers[1]']);
  expect(app.concurrency).toBe(4 + 3);
  expect(app.rateLimit).toEqual({ intervalMs: 1000, intervalCap: 5 });
  // The primary (first) driver's keys stay where single-driver code reads them.
  expect(app.definition.name).toBe('sigma-api');
  expect(app.baseUrl).toBe(sigmaApi.baseUrl);

  const capped = parseConfig({ apps: { sigma: { drivers: [sigmaApi, scim], concurrency: 2 } } }, builtInDrivers(), where);
  expect(capped.apps.sigma!.concurrency).toBe(2);
  const single = parseConfig({ apps: { sigma: sigmaApi } }, builtInDrivers(), where);
  expect(single.apps.sigma!.drivers).toHaveLength(1);
  expect(single.apps.sigma!.timeoutMs).toBe(30_000);
});

test('errors name the entry with brackets, checked by that entry\'s own driver', () => {
  expect(configError({ sigma: { drivers: [sigmaApi, { ...scim, driver: 'sigma-uii' }] } })).toContain('apps.sigma.drivers[1].driver: unknown driver "sigma-uii"');
  expect(configError({ sigma: { drivers: [sigmaApi, { ...scim, credentials: { token: 'inline-secret-value' } }] } })).toMatch(/apps\.sigma\.drivers\[1\]\.credentials\.token: /);
  expect(configError({ sigma: { drivers: [sigmaApi, { ...scim, baseUrl: 'ftp://x' }] } })).toContain('apps.sigma.drivers[1].baseUrl: must be an http(s) URL');
  expect(configError({ sigma: { drivers: [sigmaApi, { ...scim, colour: 'red' }] } })).toContain('apps.sigma.drivers[1]: unknown key(s) "colour"');
  expect(configError({ sigma: { drivers: [sigmaApi, sigmaApi] } })).toContain('apps.sigma.drivers[1].driver: "sigma-api" is listed twice');
  expect(configError({ sigma: { drivers: [] } })).toMatch(/apps\.sigma\.drivers: /);
});

test('exactly one of driver and drivers; per-driver keys go in the entries', () => {
  expect(configError({ sigma: { ...sigmaApi, drivers: [scim] } })).toContain('apps.sigma.drivers: give either `driver` (one driver) or `drivers` (a list in preference order), not both');
  expect(configError({ sigma: { baseUrl: sigmaApi.baseUrl } })).toContain('apps.sigma.driver: required: `driver` (one driver) or `drivers` (a list in preference order)');
  expect(configError({ sigma: { drivers: [sigmaApi], baseUrl: sigmaApi.baseUrl } })).toContain('apps.sigma.baseUrl: with `drivers`, give it in each entry of `drivers`');
  expect(configError({ sigma: { driver: 'sigma-api', credentials: sigmaApi.credentials } })).toContain('apps.sigma.baseUrl: required');
});

test('a driver module in a list that does not load is named by its entry', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-routing-'));
  try {
    const err = await loadConfig({ apps: { docs: { drivers: [sigmaApi, { driver: './nope.ts', baseUrl: 'http://127.0.0.1:9' }] } } }, builtInDrivers(), { source: 'x.json', baseDir: dir }).catch((e: unknown) => e);
    expect((err as SeatctlError).message).toContain('apps.docs.drivers[1].driver: module ./nope.ts not found');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.describe('seatctl offboard --transfer-to', () => {
  let app: TwoDoorApp;
  let dir: string;
  let config: string;
  test.beforeEach(async () => {
    app = await startTwoDoorApp();
    dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-transfer-cli-'));
    config = path.join(dir, 'seatctl.config.json');
    await writeFile(config, JSON.stringify(doorsConfig(app.url, [{ door: 'a' }, { door: 'b', transfer: true }])));
  });
  test.afterEach(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('not an email: exit 2 naming transferTo, nothing read or changed', async () => {
    const r = await cli(['offboard', 'leaver@example.com', '--transfer-to', 'the-manager', '--yes', '--json', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transferTo: must be an email address');
    expect(JSON.parse(r.stdout).error.code).toBe('USAGE');
    expect(app.hits).toEqual([]);
  });

  test('the leaver as their own recipient: exit 2 naming transferTo', async () => {
    const r = await cli(['offboard', 'leaver@example.com', '--transfer-to', 'LEAVER@example.com', '--yes', '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('transferTo: LEAVER@example.com is the person being offboarded');
    expect(app.mutations).toEqual([]);
  });

  test('a dry run with --json carries the steps; the HTML report shows them', async () => {
    const r = await cli(['offboard', 'leaver@example.com', '--transfer-to', 'manager@example.com', '--dry-run', '--json', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const steps = [
      { operation: 'transfer-ownership', driver: 'door-b' },
      { operation: 'deactivate', driver: 'door-a' },
    ];
    expect(doc.job.tasks[0].steps).toEqual(steps);
    expect(doc.job.tasks[0].plan.steps).toEqual(steps);
    const html = await readFile(doc.report, 'utf8');
    expect(html).toContain('<td data-field="steps">transfer-ownership via door-b, then deactivate via door-a</td>');
    expect(app.mutations).toEqual([]);
  });

  test('hands the documents over, deactivates, and prints each step with its driver', async () => {
    const r = await cli(['offboard', 'leaver@example.com', '--transfer-to', 'manager@example.com', '--yes', '--config', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('steps: transfer-ownership via door-b, then deactivate via door-a');
    expect(app.documents.get('d1')).toBe('manager@example.com');
    expect(app.members.get('u1')!.active).toBe(false);
  });

  test('doctor checks every driver of a routed app and names the one that fails', async () => {
    const good = await cli(['doctor', '--json', '--config', config]);
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).doctor.apps).toMatchObject([{ app: 'docs', driver: 'door-a+door-b', ok: true, users: 3 }]);
    expect(app.hits.filter((h) => h.path === '/users').map((h) => h.door)).toEqual(['a', 'b']);

    app.fail('b', 'find', { status: 403 });
    const bad = await cli(['doctor', '--json', '--config', config]);
    expect(bad.code).toBe(1);
    const check = JSON.parse(bad.stdout).doctor.apps[0];
    expect(check.ok).toBe(false);
    expect(check.error.code).toBe('FORBIDDEN');
    expect(check.error.message).toMatch(/^door-b: /);
  });
});
