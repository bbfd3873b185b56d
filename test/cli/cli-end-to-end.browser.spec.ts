import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CLI_BIN, cliProcess } from '../support/cli-run.js';

/**
 * The issue's own check, as a user runs it: `seatctl fixtures up --json` in the
 * background, then `seatctl offboard … --json --config <that config>` as separate
 * processes of the built CLI, checked against the simulators' ground truth.
 */
test.describe.configure({ mode: 'serial' });

let fixtures: ChildProcess;
let ready: { ready: boolean; config: string; apps: Record<string, { url: string; stateUrl: string }> };

test.beforeAll(async () => {
  fixtures = spawn(process.execPath, [CLI_BIN, 'fixtures', 'up', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: fixtures.stdout! });
  ready = await new Promise((resolve, reject) => {
    lines.once('line', (line) => resolve(JSON.parse(line)));
    fixtures.once('exit', (code) => reject(new Error(`fixtures up exited early with ${code}`)));
  });
});

test.afterAll(async () => {
  if (fixtures.exitCode === null) {
    const exited = new Promise((r) => fixtures.once('exit', r));
    fixtures.kill('SIGTERM');
    await exited;
  }
});

const state = async (app: string) => (await (await fetch(ready.apps[app]!.stateUrl)).json()) as { users: Record<string, unknown>[]; mutations: unknown[] };

test('fixtures up prints one ready line with the config and every app', async () => {
  expect(ready.ready).toBe(true);
  expect(Object.keys(ready.apps)).toEqual(expect.arrayContaining(['bigid', 'sigma']));
  expect((await stat(ready.config)).mode & 0o077).toBe(0);
});

test('offboard jdoe: disabled in BigID with role Admin kept, archived in Sigma; exit 0', async () => {
  const result = await cliProcess(['offboard', 'jdoe@example.com', '--apps', 'bigid,sigma', '--json', '--yes', '--config', ready.config]);
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout);
  expect(doc.job.status).toBe('succeeded');
  expect(doc.job.tasks.map((t: { app: string; outcome: string }) => `${t.app}:${t.outcome}`).sort()).toEqual(['bigid:changed', 'sigma:changed']);
  expect((await state('bigid')).users.find((u) => u.email === 'jdoe@example.com')).toMatchObject({ isEnabled: false, role: 'Admin' });
  expect((await state('sigma')).users.find((u) => u.email === 'jdoe@example.com')).toMatchObject({ isArchived: true });
});

test('running it again reports noop for both and adds no mutation', async () => {
  const before = [(await state('bigid')).mutations.length, (await state('sigma')).mutations.length];
  const result = await cliProcess(['offboard', 'jdoe@example.com', '--apps', 'bigid,sigma', '--json', '--yes', '--config', ready.config]);
  expect(result.code).toBe(0);
  const doc = JSON.parse(result.stdout);
  expect(doc.job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['noop', 'noop']);
  expect([(await state('bigid')).mutations.length, (await state('sigma')).mutations.length]).toEqual(before);
});

test('evidence for every task (requests for API work, screenshots and traces for console work), owner-only, no secret', async () => {
  const result = await cliProcess(['offboard', 'asmith@example.com', '--json', '--yes', '--config', ready.config]);
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout);
  // One task per app fixtures up started: a loop over zero tasks would prove nothing.
  expect(doc.job.tasks.map((t: { app: string }) => t.app).sort()).toEqual(Object.keys(ready.apps).sort());
  expect(Object.keys(ready.apps).sort()).toEqual(['bigid', 'billcom', 'sigma', 'stitch']);
  const secretsDir = path.join(path.dirname(ready.config), 'secrets');
  const secrets = await Promise.all((await readdir(secretsDir)).map((f) => readFile(path.join(secretsDir, f), 'utf8')));
  for (const task of doc.job.tasks) {
    const file = path.join(task.evidence.dir, 'evidence.json');
    const text = await readFile(file, 'utf8');
    const kinds = new Set(JSON.parse(text).map((e: { kind: string }) => e.kind));
    // API work leaves request records; console work leaves screenshots and a trace.
    if (['bigid', 'sigma'].includes(task.app)) expect([...kinds]).toContain('request');
    else expect([...kinds]).toEqual(expect.arrayContaining(['screenshot', 'trace']));
    expect((await stat(file)).mode & 0o077).toBe(0);
    for (const s of secrets) expect(text).not.toContain(s);
  }
  for (const s of secrets) expect(result.stdout + result.stderr).not.toContain(s);
});

test('a failed task gives exit 1 and an error with a code; a role no app knows is refused with exit 2', async () => {
  const before = (await state('bigid')).mutations.length;
  const missing = await cliProcess(['set-role', 'nobody@example.com', '--role', 'bigid=Admin', '--json', '--yes', '--config', ready.config]);
  expect(missing.code, missing.stderr).toBe(1);
  const task = JSON.parse(missing.stdout).job.tasks[0];
  expect(task.outcome).toBe('failed');
  expect(task.error.code).toBe('USER_NOT_FOUND');
  const badRole = await cliProcess(['set-role', 'jdoe@example.com', '--role', 'bigid=Superuser', '--json', '--yes', '--config', ready.config]);
  expect(badRole.code, badRole.stderr).toBe(2);
  expect(JSON.parse(badRole.stdout).job.tasks[0].error.code).toBe('ROLE_INVALID');
  expect((await state('bigid')).mutations.length).toBe(before);
});
