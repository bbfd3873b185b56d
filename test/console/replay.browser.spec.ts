import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat } from 'node:fs/promises';
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

/** The stitch task's trace records as the job file on disk has them: file name → phase caption. */
async function recordedTraces(): Promise<Map<string, string>> {
  const job = JSON.parse(await readFile(path.join(fx.dataDir, 'jobs', jobId, 'job.json'), 'utf8'));
  const task = job.tasks.find((t: { id: string }) => t.id === 't01-stitch');
  return new Map(task.evidence.filter((e: { kind: string }) => e.kind === 'trace').map((e: { path: string; caption: string }) => [e.path, e.caption]));
}

/** Starts `replay --trace …`, waits for the viewer URL, and returns the line that names the trace. */
async function serve(traceArgs: string[]): Promise<{ line: string; url: string; stop: () => void }> {
  const child = spawn(process.execPath, [CLI_BIN, 'replay', jobId, '--task', 't01-stitch', ...traceArgs, '--config', fx.configPath], { stdio: ['ignore', 'pipe', 'inherit'] });
  const { line, url } = await new Promise<{ line: string; url: string }>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (l) => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\S*)/.exec(l);
      if (m) resolve({ line: l, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`replay --trace exited ${code}`)));
  });
  return { line, url, stop: () => child.kill('SIGTERM') };
}

test('evidence #4: replay --trace serves the trace of the change, not a look-up', async () => {
  const recorded = await recordedTraces();
  const change = [...recorded].filter(([, caption]) => caption === 'Playwright trace: deactivate').map(([name]) => name);
  expect(change).toHaveLength(1);
  // The look-up is recorded too; the old "alphabetically last file" rule served it.
  expect([...recorded.values()]).toContain('Playwright trace: find');
  const served = await serve(['--trace']);
  try {
    expect(served.line).toContain(`(${change[0]}, deactivate)`);
    const res = await fetch(served.url, { redirect: 'manual' });
    expect([200, 302]).toContain(res.status);
  } finally {
    served.stop();
  }
});

test('evidence #4: replay --trace list shows each trace with phase, time and size', async () => {
  const result = await cli(['--json', 'replay', jobId, '--task', 't01-stitch', '--trace', 'list', '--config', fx.configPath]);
  expect(result.code, result.stderr).toBe(0);
  const doc = JSON.parse(result.stdout) as { task: string; traces: { name: string; phase: string; change: boolean; at: string; bytes: number; hashOk: boolean }[] };
  const taskDir = path.join(fx.dataDir, 'jobs', jobId, 't01-stitch');
  const onDisk = (await readdir(taskDir)).filter((f) => f.endsWith('.zip')).sort();
  expect(doc.traces.map((t) => t.name).sort()).toEqual(onDisk);
  const recorded = await recordedTraces();
  for (const t of doc.traces) {
    expect(t.bytes).toBe((await stat(path.join(taskDir, t.name))).size);
    expect(`Playwright trace: ${t.phase}`).toBe(recorded.get(t.name));
    expect(t.change).toBe(t.phase === 'deactivate');
    expect(t.hashOk).toBe(true);
    expect(Number.isNaN(Date.parse(t.at))).toBe(false);
  }
  const human = await cli(['replay', jobId, '--task', 't01-stitch', '--trace', 'list', '--config', fx.configPath]);
  expect(human.code).toBe(0);
  for (const t of doc.traces) expect(human.stdout).toContain(`${t.name}  ${t.phase}`);
});

test('evidence #4: replay --trace NAME serves that trace; an unknown name is a usage error', async () => {
  const lookup = [...(await recordedTraces())].find(([, caption]) => caption === 'Playwright trace: find')![0];
  const served = await serve(['--trace', lookup]);
  try {
    expect(served.line).toContain(`(${lookup}, find)`);
  } finally {
    served.stop();
  }
  const bad = await cli(['replay', jobId, '--task', 't01-stitch', '--trace', '../t02-billcom/evidence.json', '--config', fx.configPath]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('no trace named');
});

test('an unknown job is a usage error', async () => {
  const result = await cli(['replay', 'job_nope', '--config', fx.configPath]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('no job job_nope');
});
