import { test, expect } from '@playwright/test';
import path from 'node:path';
import { groundTruth, writeCliConfig } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';
import { openJobStore } from '../../src/store/index.js';

/**
 * Issue 13 item 5 from the command line: `jobs list` shows people and filters by
 * --email (local store and --server), and offboard/provision/set-role take --run-at,
 * stored locally for `seatctl serve` or sent to a service with --server.
 */
let env: ServiceEnv;
let configFile: string;
let server: string;
const token = { SEATCTL_TOKEN: TEST_TOKEN };

test.beforeEach(async () => {
  env = await startServiceEnv();
  server = await env.service.app.listen({ host: '127.0.0.1', port: 0 });
  configFile = writeCliConfig(env);
});
test.afterEach(async () => env.close());

const cliData = () => path.join(env.dir, 'cli-data');
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const jobsOf = (stdout: string) => (JSON.parse(stdout) as { jobs: { id: string; people: string[]; runAt: string | null }[] }).jobs;

test('issue 13 item 5: jobs list --email shows only that person’s jobs, locally and with --server; a bad address is exit 2', async () => {
  const local = async (email: string) => {
    const r = await cli(['--json', 'offboard', email, '--apps', 'bigid', '--dry-run', '--config', configFile]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout).job.id as string;
  };
  const jdoe = await local('jdoe@example.com');
  await local('asmith@example.com');

  const json = await cli(['--json', 'jobs', 'list', '--email', 'JDoe@Example.com', '--config', configFile]);
  expect(json.code, json.stderr).toBe(0);
  expect(jobsOf(json.stdout).map((j) => [j.id, j.people])).toEqual([[jdoe, ['jdoe@example.com']]]);
  const human = await cli(['jobs', 'list', '--email', 'jdoe@example.com', '--config', configFile]);
  expect(human.stdout).toContain(jdoe);
  expect(human.stdout).toContain('jdoe@example.com');
  expect(human.stdout).not.toContain('asmith@example.com');
  const everyone = await cli(['jobs', 'list', '--config', configFile]);
  expect(everyone.stdout).toContain('asmith@example.com');

  const submitted = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true });
  await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'], dryRun: true });
  const remote = await cli(['--json', 'jobs', 'list', '--server', server, '--email', 'JDOE@example.com'], token);
  expect(remote.code, remote.stderr).toBe(0);
  expect(jobsOf(remote.stdout).map((j) => j.id)).toEqual([submitted.json.job.id]);

  for (const args of [['--config', configFile], ['--server', server]]) {
    const bad = await cli(['jobs', 'list', '--email', 'not-an-address', ...args], token);
    expect(bad.code, bad.stderr).toBe(2);
    expect(bad.stderr).toContain('--email');
  }
});

test('issue 13 item 5: offboard --run-at stores a scheduled job and exits 0 without waiting; jobs list and show say when it runs', async () => {
  const runAt = inAnHour();
  const r = await cli(['offboard', 'jdoe@example.com', '--apps', 'bigid', '--run-at', runAt, '--yes', '--config', configFile]);
  expect(r.code, r.stderr).toBe(0);
  const id = /job (job_\S+) scheduled at/.exec(r.stdout)?.[1];
  expect(id, r.stdout).toBeTruthy();
  expect(r.stdout).toContain('seatctl serve');
  // Nothing was read or changed now: the plan is made when it runs.
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);

  const store = await openJobStore({ dataDir: cliData() });
  try {
    const stored = (await store.get(id!))!;
    expect(stored.meta.runAt).toBe(runAt);
    expect(stored.job.status).toBe('planned');
    expect(stored.planHash).toBeNull();
    // What `seatctl serve` on this data dir starts: not before its time, and at it.
    expect((await store.due(new Date())).map((s) => s.job.id)).not.toContain(id);
    expect((await store.due(new Date(Date.parse(runAt) + 1))).map((s) => s.job.id)).toContain(id);
  } finally {
    await store.close();
  }
  const list = await cli(['jobs', 'list', '--config', configFile]);
  expect(list.stdout).toContain(`runs at ${runAt}`);
  const show = await cli(['jobs', 'show', id!, '--config', configFile]);
  expect(show.stdout).toContain(`runs at ${runAt}`);
  const json = await cli(['--json', 'jobs', 'list', '--config', configFile]);
  expect(jobsOf(json.stdout)[0]).toMatchObject({ id, runAt });
});

test('issue 13 item 5: offboard --run-at --server sends runAt to the service, which runs the job at its time', async () => {
  const runAt = new Date(Date.now() + 1500).toISOString();
  const r = await cli(['--json', 'offboard', 'jdoe@example.com', '--apps', 'bigid', '--run-at', runAt, '--server', server, '--yes'], token);
  expect(r.code, r.stderr).toBe(0);
  const job = JSON.parse(r.stdout).job;
  expect(job).toMatchObject({ status: 'planned', runAt, people: ['jdoe@example.com'], requestedBy: expect.stringContaining('service-token') });
  // Not stored locally: the service has it.
  expect((await env.call('GET', `/v1/jobs/${job.id}`)).json.job.runAt).toBe(runAt);
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
  const done = await env.waitFor(job.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(Date.parse(done.startedAt)).toBeGreaterThanOrEqual(Date.parse(runAt));
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(1);

  const human = await cli(['set-role', 'jdoe@example.com', '--role', 'bigid=Viewer', '--run-at', inAnHour(), '--server', server, '--yes'], token);
  expect(human.code, human.stderr).toBe(0);
  expect(human.stdout).toMatch(/job job_\S+ sent to http:\/\/127\.0\.0\.1:\d+: planned; the service runs it at /);
});

test('issue 13 item 5: an invalid --run-at is exit 2 naming --run-at, and nothing is stored or sent', async () => {
  const past = new Date(Date.now() - 5 * 60_000).toISOString();
  for (const value of ['tomorrow', '2026-12-01T09:00:00', '2026-13-01T09:00:00Z', past]) {
    for (const where of [['--config', configFile], ['--server', server]]) {
      const r = await cli(['offboard', 'jdoe@example.com', '--apps', 'bigid', '--run-at', value, '--yes', ...where], token);
      expect(r.code, `${value} ${where[0]}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('--run-at');
    }
  }
  const provision = await cli(['provision', '--email', 'kim@example.com', '--first-name', 'Kim', '--last-name', 'Lee', '--role', 'bigid=Viewer', '--run-at', past, '--yes', '--config', configFile]);
  expect(provision.code).toBe(2);
  expect(provision.stderr).toMatch(/--run-at: .* is in the past/);
  // A change is never submitted unasked: without a terminal, --run-at needs --yes too.
  const unasked = await cli(['offboard', 'jdoe@example.com', '--apps', 'bigid', '--run-at', inAnHour(), '--config', configFile]);
  expect(unasked.code).toBe(2);
  expect(unasked.stderr).toContain('--yes');

  expect((await cli(['--json', 'jobs', 'list', '--config', configFile])).stdout).toBe('{"jobs":[],"nextCursor":null}\n');
  expect((await env.call('GET', '/v1/jobs')).json.jobs).toEqual([]);
});
