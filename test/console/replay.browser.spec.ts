import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import { CLI_BIN, cli, cliProcess } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * Replay reruns a recorded job's console tasks from their inputs: headed under Xvfb
 * (as CI and a debugging engineer without a desktop would run it), a rehearsal unless
 * --commit, and --trace serves the recorded trace over HTTP on loopback.
 */
test.describe.configure({ mode: 'serial' });
let dir: string;
let fx: LaunchedFixtures;
let jobId: string;

const mutations = async (app: 'stitch' | 'billcom') => ((await (await fetch(fx.apps[app]!.stateUrl)).json()) as { mutations: unknown[] }).mutations.length;

test.beforeAll(async () => {
  dir = await mkdtemp(path.join(scanRoot(), 'seatctl-replay-'));
  fx = await launchFixtures({ dir, apps: ['stitch', 'billcom'] });
  const dry = await cli(['--json', 'offboard', 'jdoe@example.com', '--dry-run', '--config', fx.configPath]);
  expect(dry.code, dry.stderr).toBe(0);
  jobId = JSON.parse(dry.stdout).job.id;
});

test.afterAll(async () => {
  await fx?.close();
});

test('headed replay under xvfb-run rehearses the recorded tasks and changes nothing', async () => {
  test.setTimeout(180_000);
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('xvfb-run', ['-a', process.execPath, CLI_BIN, '--json', 'replay', jobId, '--headed', '--slow-mo', '20', '--config', fx.configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout);
  expect(doc.replayOf).toBe(jobId);
  expect(doc.job.dryRun).toBe(true);
  expect(doc.job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['planned', 'planned']);
  for (const t of doc.job.tasks) expect(t.evidence.files.some((f: string) => f.endsWith('.jpg'))).toBe(true);
  expect(await mutations('stitch')).toBe(0);
  expect(await mutations('billcom')).toBe(0);
});

test('replay without a display refuses --headed with a hint', async () => {
  const result = await cli(['replay', jobId, '--headed', '--config', fx.configPath], { DISPLAY: '' });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('xvfb-run');
});

test('replay --commit applies the recorded change once', async () => {
  test.setTimeout(120_000);
  const result = await cliProcess(['--json', 'replay', jobId, '--commit', '--config', fx.configPath]);
  expect(result.code, result.stderr).toBe(0);
  expect(JSON.parse(result.stdout).job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['changed', 'changed']);
  expect(await mutations('stitch')).toBe(1);
  expect(await mutations('billcom')).toBe(1);
});

test('replay --trace serves the recorded trace over HTTP on 127.0.0.1', async () => {
  const child = spawn(process.execPath, [CLI_BIN, 'replay', jobId, '--task', 't01-stitch', '--trace', '--config', fx.configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const m = /(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`replay --trace exited ${code}`)));
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect([200, 302]).toContain(res.status);
  } finally {
    child.kill('SIGTERM');
  }
});

test('an unknown job is a usage error', async () => {
  const result = await cli(['replay', 'job_nope', '--config', fx.configPath]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no job job_nope');
});
