import { test, expect } from '@playwright/test';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../support/cli-run.js';

/**
 * A config naming a driver module that is missing or does not fit the interface
 * stops every command with exit code 2, naming `apps.<name>.driver` and what is wrong,
 * before any task starts.
 */
let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-module-'));
});
test.afterEach(async () => rm(dir, { recursive: true, force: true }));

async function configWith(driver: string, files: Record<string, string> = {}): Promise<string> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), text);
  }
  const file = path.join(dir, 'seatctl.config.json');
  await writeFile(file, JSON.stringify({ dataDir: 'data', apps: { acme: { driver, baseUrl: 'http://127.0.0.1:9', credentials: {} } } }));
  return file;
}

const doctor = (config: string) => cli(['doctor', '--json', '--config', config]);

test('a module path that does not exist: exit 2 naming the field and where it looked', async () => {
  const result = await doctor(await configWith('./drivers/nope.ts'));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('apps.acme.driver: module ./drivers/nope.ts not found');
  expect(result.stderr).toContain(path.join(dir, 'drivers', 'nope.ts'));
  expect(JSON.parse(result.stdout).error.code).toBe('CONFIG_INVALID');
});

test('a module that exports the wrong thing: exit 2 naming what is missing', async () => {
  const result = await doctor(await configWith('./bad.mjs', { 'bad.mjs': "export default { name: 'acme-ui', kind: 'console', secretFields: [] };\n" }));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('apps.acme.driver: module ./bad.mjs does not export a driver definition (missing credentials, missing options, missing defaultConcurrency, missing create())');
});

test('wrong types are named by key; no default export is explained', async () => {
  const wrongKind = await doctor(
    await configWith('./kind.mjs', { 'kind.mjs': "export default { name: 'x', kind: 'web', credentials: {}, options: {}, secretFields: [], defaultConcurrency: 1, create: 1 };\n" }),
  );
  expect(wrongKind.code).toBe(2);
  expect(wrongKind.stderr).toMatch(/kind: must be "api" or "console".*credentials: must be a zod schema.*create: must be a function/);

  const noDefault = await doctor(await configWith('./none.mjs', { 'none.mjs': 'export const something = 1;\n' }));
  expect(noDefault.code).toBe(2);
  expect(noDefault.stderr).toContain('apps.acme.driver: module ./none.mjs has no default export and no export named "driver"');
});

test('a module that throws while loading: exit 2 with its error', async () => {
  const result = await doctor(await configWith('../' + path.basename(dir) + '/boom.mjs', { 'boom.mjs': "throw new Error('kaboom at import');\n" }));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('failed to load: kaboom at import');
});

test('a .mjs driver in a folder without node_modules imports "seatctl" and loads', async () => {
  const driver = `import { defineApiDriver, z } from 'seatctl';
export default defineApiDriver({
  name: 'plain-api', credentials: z.object({}), options: z.object({}), secretFields: [],
  findUser: async () => null, async *listUsers() { yield []; }, listRoles: async () => [], deactivate: async () => null,
});
`;
  const config = await configWith('./drivers/plain/driver.mjs', { 'drivers/plain/driver.mjs': driver });
  // Its listing needs no request, so doctor passes: the module was found, imported and accepted.
  const result = await doctor(config);
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).doctor.apps[0]).toMatchObject({ driver: 'plain-api', ok: true, users: 0 });
});

test('an unknown driver name says what is built in and that a path works too', async () => {
  const result = await doctor(await configWith('acme-ui'));
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('apps.acme.driver: unknown driver "acme-ui" (built in: bigid-api, billcom-ui, scim2, sigma-api, sigma-ui, stitch-ui; or a module path');
});
