import { test, expect, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { describeTask, taskFor } from './console-truth.js';

/**
 * Secret hygiene of everything console work leaves on disk: evidence records, job
 * documents, failure HTML, logs, saved sessions and the contents of every trace zip
 * hold no password and no TOTP seed; screenshots are JPEG with the password field
 * painted over; artifacts are owner-only.
 */
test.describe.configure({ mode: 'serial' });

let env: SimEnv;
const jobs: Job[] = [];
const apps = ['stitch', 'billcom'];

async function walk(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const out = { files: [] as string[], dirs: [dir] };
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await walk(p);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else out.files.push(p);
  }
  return out;
}

const taskDir = (job: Job, taskId: string) => path.join(env.config.dataDir, 'jobs', job.id, taskId);

test.beforeAll(async () => {
  test.setTimeout(420_000);
  env = await startSimEnv(['stitch', 'billcom'], { users: 4 });
  // The first job logs in to both consoles, so the login is part of what is scanned.
  const run = async (request: Parameters<SimEnv['run']>[0]) => {
    const job = await env.run(request);
    jobs.push(job);
    return job;
  };
  const offboard = await run({ kind: 'offboard', email: 'jdoe@example.com', apps });
  const provision = await run({ kind: 'provision', email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', roles: { stitch: 'General User', billcom: 'Clerk' } });
  const dryRun = await run({ kind: 'offboard', email: 'asmith@example.com', apps, dryRun: true });
  // A refusal leaves the page's HTML and a failure screenshot.
  const refused = await run({ kind: 'provision', email: 'taken@elsewhere.example', firstName: 'Taken', lastName: 'Elsewhere', roles: { stitch: 'General User' } });
  for (const app of apps) {
    expect(taskFor(offboard, app).outcome, describeTask(taskFor(offboard, app))).toBe('changed');
    expect(taskFor(provision, app).outcome, describeTask(taskFor(provision, app))).toBe('changed');
    expect(taskFor(dryRun, app).outcome, describeTask(taskFor(dryRun, app))).toBe('planned');
  }
  expect(taskFor(refused, 'stitch').error?.code).toBe('RULE_REFUSED');
});
test.afterAll(async () => {
  await env?.close();
});

test('no password or TOTP seed in any file under dataDir, inside any trace, in logs or job documents', async () => {
  test.setTimeout(120_000);
  const secrets = env.fixtures.secrets;
  // Stitch password, Bill.com password, TOTP seed and the (not enabled) Bill.com SCIM token.
  expect(secrets).toHaveLength(4);
  const needles = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString('base64')]);
  const leaks: string[] = [];
  const scan = (where: string, data: Uint8Array | string) => {
    const buf = Buffer.from(data);
    for (const n of needles) if (buf.includes(n)) leaks.push(`${where} contains a secret`);
  };

  const { files } = await walk(env.config.dataDir);
  const traces = files.filter((f) => f.endsWith('.zip'));
  let traceEntries = 0;
  for (const file of files) {
    const data = await readFile(file);
    scan(path.relative(env.config.dataDir, file), data);
    if (file.endsWith('.zip')) {
      for (const [name, content] of Object.entries(unzipSync(new Uint8Array(data)))) {
        traceEntries += 1;
        scan(`${path.relative(env.config.dataDir, file)}!${name}`, content);
      }
    }
  }
  scan('logs', env.logs.join('\n'));
  scan('jobs returned', JSON.stringify(jobs));
  expect(leaks).toEqual([]);

  // The scan covered what it claims to: traces with content, failure HTML, sessions, records.
  expect(traces.length).toBeGreaterThanOrEqual(8);
  expect(traceEntries).toBeGreaterThan(traces.length);
  const names = files.map((f) => path.basename(f));
  expect(names).toEqual(expect.arrayContaining(['stitch.json', 'billcom.json', 'evidence.json', 'job.json']));
  expect(names.some((n) => n.endsWith('failure.html'))).toBe(true);
  expect(env.logs.length).toBeGreaterThan(0);
});

test('every screenshot is a JPEG; the login screenshots say the password is masked', async () => {
  const { files } = await walk(env.config.dataDir);
  expect(files.filter((f) => /\.png$/i.test(f))).toEqual([]);
  let shots = 0;
  for (const job of jobs) {
    for (const task of job.tasks) {
      for (const item of task.evidence) {
        if (item.kind !== 'screenshot') continue;
        shots += 1;
        const data = await readFile(path.join(taskDir(job, task.id), item.path));
        expect([...data.subarray(0, 3)], `${item.path} starts with the JPEG magic`).toEqual([0xff, 0xd8, 0xff]);
      }
    }
  }
  expect(shots).toBeGreaterThan(10);
  for (const app of apps) {
    const login = taskFor(jobs[0]!, app).evidence.find((e) => e.kind === 'screenshot' && /^sign-in form/.test(e.caption));
    expect(login && 'caption' in login ? login.caption : '', `${app}: login screenshot`).toMatch(/masked/);
  }
});

/** Colour of a few pixels of a JPEG, decoded by Chromium on a canvas. */
async function pixels(page: Page, jpeg: Buffer, points: { x: number; y: number }[]): Promise<[number, number, number][]> {
  return page.evaluate(
    async ({ b64, points }) => {
      const img = new Image();
      img.src = `data:image/jpeg;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const g = canvas.getContext('2d')!;
      g.drawImage(img, 0, 0);
      return points.map(({ x, y }) => {
        const [r, gr, b] = g.getImageData(Math.round(x), Math.round(y), 1, 1).data;
        return [r!, gr!, b!] as [number, number, number];
      });
    },
    { b64: jpeg.toString('base64'), points },
  );
}

const near = (rgb: [number, number, number], hex: number, tolerance: number) =>
  rgb.every((c, i) => Math.abs(c - ((hex >> (16 - 8 * i)) & 0xff)) <= tolerance);

test('the password field is painted over (#111111) in both login screenshots', async () => {
  test.setTimeout(120_000);
  // A live sign-in page at the drivers' viewport gives the field's box.
  const context = await env.consoleRuntime.pool.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const page = await context.newPage();
    for (const [app, signIn] of [['stitch', '/signin'], ['billcom', '/login']] as const) {
      await page.goto(new URL(signIn, env.fixtures[app]!.url).toString());
      const password = page.getByLabel('Password');
      await password.waitFor();
      const box = (await password.boundingBox())!;
      const email = (await page.getByRole('textbox', { name: 'Email' }).boundingBox())!;
      expect(box.width).toBeGreaterThan(20);

      const task = taskFor(jobs[0]!, app);
      const item = task.evidence.find((e) => e.kind === 'screenshot' && /^sign-in form/.test(e.caption));
      const jpeg = await readFile(path.join(taskDir(jobs[0]!, task.id), (item as { path: string }).path));
      const inside = [0.25, 0.5, 0.75].flatMap((fx) => [0.3, 0.5, 0.7].map((fy) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy })));
      const [outside, ...masked] = await pixels(page, jpeg, [{ x: email.x + email.width * 0.9, y: email.y + email.height / 2 }, ...inside]);
      for (const rgb of masked) expect(near(rgb, 0x111111, 24), `${app}: password pixel ${rgb.join(',')} is the mask colour`).toBe(true);
      // Sanity: the (unmasked) email field is not that dark, so the sampling is where we think.
      expect(near(outside!, 0x111111, 24), `${app}: email pixel ${outside!.join(',')}`).toBe(false);
    }
  } finally {
    await context.close();
  }
});

test('artifacts are owner-only: files 0600, folders 0700', async () => {
  const { files, dirs } = await walk(env.config.dataDir);
  const loose: string[] = [];
  for (const f of files) if (((await stat(f)).mode & 0o777) !== 0o600) loose.push(`${path.relative(env.config.dataDir, f)} ${((await stat(f)).mode & 0o777).toString(8)}`);
  for (const d of dirs) if (((await stat(d)).mode & 0o777) !== 0o700) loose.push(`${path.relative(env.config.dataDir, d) || '.'}/ ${((await stat(d)).mode & 0o777).toString(8)}`);
  expect(loose).toEqual([]);
  expect(files.filter((f) => f.endsWith('.zip')).length).toBeGreaterThan(0);
});
