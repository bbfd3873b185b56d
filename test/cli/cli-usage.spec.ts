import { test, expect } from '@playwright/test';
import { mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cli } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

/** Bad input is refused with exit 2 and a message that names what was wrong. */
let dir: string;
test.beforeAll(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-cli-'));
});

async function configFile(content: unknown): Promise<string> {
  const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const goodApp = { driver: 'bigid-api', baseUrl: 'http://127.0.0.1:1/api/v1', credentials: { username: 'svc', password: 'env:SEATCTL_TEST_BIGID_PW' } };

const cases: { name: string; args: (cfg: string) => string[]; config?: unknown; expect: RegExp }[] = [
  { name: 'no email', args: () => ['offboard'], expect: /missing required argument 'email'/ },
  { name: 'not an email', args: (c) => ['offboard', 'jdoe', '--config', c], config: { apps: { bigid: goodApp } }, expect: /email: must be an email address/ },
  { name: 'unknown command', args: () => ['offbaord', 'x@y.z'], expect: /unknown command/ },
  { name: 'unknown flag', args: () => ['offboard', 'x@example.com', '--force'], expect: /unknown option '--force'/ },
  { name: 'unknown app', args: (c) => ['offboard', 'x@example.com', '--apps', 'bigid,slack', '--config', c], config: { apps: { bigid: goodApp } }, expect: /unknown app\(s\) slack/ },
  { name: 'bad mode', args: (c) => ['offboard', 'x@example.com', '--mode', 'nuke', '--config', c], config: { apps: { bigid: goodApp } }, expect: /mode: Invalid option/i },
  { name: 'role pair malformed', args: (c) => ['set-role', 'x@example.com', '--role', 'bigid', '--config', c], config: { apps: { bigid: goodApp } }, expect: /--role: expected app=Value, got "bigid"/ },
  { name: 'provision without names', args: () => ['provision', '--email', 'x@example.com', '--role', 'bigid=Admin'], expect: /required option '--first-name/ },
  { name: 'missing config file', args: () => ['offboard', 'x@example.com', '--config', '/nonexistent/seatctl.json'], expect: /cannot read it \(ENOENT\)/ },
  { name: 'config not JSON', args: (c) => ['offboard', 'x@example.com', '--config', c], config: '{ nope', expect: /not valid JSON/ },
  { name: 'inline secret refused', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: { ...goodApp, credentials: { username: 'svc', password: 'hunter2hunter2' } } } }, expect: /apps\.bigid\.credentials\.password: must be a secret reference/ },
  { name: 'unknown driver', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: { ...goodApp, driver: 'bigid-rest' } } }, expect: /apps\.bigid\.driver: unknown driver "bigid-rest"/ },
  { name: 'bad URL', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: { ...goodApp, baseUrl: 'ftp://x' } } }, expect: /apps\.bigid\.baseUrl: must be an http\(s\) URL/ },
  { name: 'bad concurrency', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: { ...goodApp, concurrency: 0 } } }, expect: /apps\.bigid\.concurrency:/ },
  { name: 'unknown top-level key', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: goodApp }, aps: {} }, expect: /\(root\): unknown key\(s\) "aps"/ },
  { name: 'unknown driver option', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: { ...goodApp, options: { pagesize: 10 } } } }, expect: /apps\.bigid\.options: unknown key\(s\) "pagesize"/ },
  { name: 'no apps', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: {} }, expect: /apps: at least one app is required/ },
  { name: 'secret env missing', args: (c) => ['offboard', 'x@example.com', '--config', c], config: { apps: { bigid: goodApp } }, expect: /apps\.bigid\.credentials\.password: environment variable SEATCTL_TEST_BIGID_PW is not set/ },
  { name: 'bad review format', args: (c) => ['review', '--format', 'xml', '--config', c], config: { apps: { bigid: goodApp } }, expect: /--format: expected csv, json or html/ },
  { name: 'bad --users', args: () => ['fixtures', 'up', '--users', 'many'], expect: /--users: expected a whole number/ },
];

for (const c of cases) {
  test(`exit 2: ${c.name}`, async () => {
    const cfg = c.config === undefined ? '/nonexistent.json' : await configFile(c.config);
    const result = await cli(c.args(cfg), { SEATCTL_TEST_BIGID_PW: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(c.expect);
  });
}

test('--json errors are one JSON document on stdout', async () => {
  const result = await cli(['--json', 'offboard', 'not-an-email', '--config', await configFile({ apps: { bigid: goodApp } })]);
  expect(result.code).toBe(2);
  expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'USAGE' } });
});

test('--help exits 0 and lists the commands', async () => {
  const result = await cli(['--help']);
  expect(result.code).toBe(0);
  for (const cmd of ['offboard', 'provision', 'set-role', 'review', 'fixtures', 'demo']) expect(result.stdout).toContain(cmd);
});
