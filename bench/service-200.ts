import { singleTokenAuthenticator } from '../src/auth/authenticator.js';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generatePeople } from '../fixtures/common/people.js';
import { FIXTURE_APPS, type FixtureApp, type LaunchOptions } from '../fixtures/launch.js';
import type { Job } from '../src/model/index.js';
import { createService } from '../src/service/service.js';
import { DEFAULT_APPROVALS } from '../src/config/approval-schema.js';
import { openJobStore } from '../src/store/index.js';
import { benchEnv, type BenchEnv } from './harness.js';
import { naiveOffboardApp } from './offboard-one.js';
import { LATENCY_PROFILE, seconds } from './profile.js';

/**
 * 200 offboarding requests arriving at the job service, as an HR system would send
 * them on a busy day, each person present in all four apps.
 * seatctl: `createService` in this process, listening on loopback; 200 POST /v1/jobs,
 *          then wait until every job has finished. One browser, one login per console,
 *          the per-app queues at the apps' default concurrency.
 * naive:   the same offboardings one after another, each app in turn, a fresh browser
 *          and a fresh login for every console task (bench/offboard-one.ts's naive
 *          path). 200 of them take far too long, so by default a sample is run and
 *          extrapolated linearly, and the output says so (BENCH_NAIVE_FULL=1 runs all).
 * Both sides get fresh simulators with the same seed for all four apps (so the
 * generated people exist everywhere) and the latency profile.
 */
export interface BenchResult {
  name: string;
  seatctlMs: number;
  naiveMs: number;
  note?: string;
}

const JOBS = Number(process.env.BENCH_SERVICE_JOBS ?? 200);
const FULL = process.env.BENCH_NAIVE_FULL === '1';
const NAIVE_SAMPLE = FULL ? JOBS : Math.min(JOBS, Number(process.env.BENCH_NAIVE_SAMPLE ?? 10));
const SEED = 200;
const TOKEN = 'bench-service-token-0123456789';
const CONSOLES: FixtureApp[] = ['stitch', 'billcom'];

function options(): Omit<LaunchOptions, 'dir' | 'apps'> {
  // The same seed everywhere (launch's common `seed` would shift it per app).
  // One person more than the burst: the job measured alone, before the burst starts.
  const simulators = Object.fromEntries(FIXTURE_APPS.map((app) => [app, { ...LATENCY_PROFILE.simulators?.[app], seed: SEED, users: JOBS + 1 }]));
  return { faults: LATENCY_PROFILE.faults, simulators };
}

/** Generated people only: the named ones (jdoe, the admin login…) stay out of it. The last one is the job run alone. */
const everyone = (): string[] => generatePeople(JOBS + 1, SEED).map((p) => p.email);
const people = (): string[] => everyone().slice(0, JOBS);
const alonePerson = (): string => everyone()[JOBS]!;

async function consoleLogins(env: BenchEnv): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const app of CONSOLES) out[app] = ((await (await fetch(env.fixtures.apps[app]!.stateUrl)).json()) as { logins: number }).logins;
  return out;
}

function checkOutcomes(job: Pick<Job, 'id' | 'tasks'>): void {
  // Changed, or already as wanted (some generated people are inactive in an app).
  const bad = job.tasks.filter((t) => t.outcome !== 'changed' && t.outcome !== 'noop');
  if (bad.length) throw new Error(`job ${job.id} did not offboard: ${bad.map((t) => `${t.app}=${t.outcome} ${t.error?.message ?? ''}`).join('; ')}`);
}

/**
 * Memory of a process and all its descendants (Chromium's browser, renderer, GPU and
 * utility processes), in KiB. PSS where /proc allows (shared pages counted once across
 * the tree; summing RSS would count Chromium's shared memory once per process), else RSS.
 */
async function treeMemoryKb(root: number): Promise<{ kb: number; kind: 'PSS' | 'RSS' }> {
  const { stdout } = await promisify(execFile)('ps', ['-e', '-o', 'pid=,ppid=,rss=']);
  const rows = stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number, number]);
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of rows) {
      if (inTree.has(ppid) && !inTree.has(pid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  const tree = rows.filter(([pid]) => inTree.has(pid));
  let pss = 0;
  let read = 0;
  for (const [pid] of tree) {
    // A renderer may exit between `ps` and here: skip it.
    const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => null);
    const kb = text === null ? undefined : /^Pss:\s+(\d+) kB/m.exec(text)?.[1];
    if (kb !== undefined) {
      pss += Number(kb);
      read += 1;
    }
  }
  return read ? { kb: pss, kind: 'PSS' } : { kb: tree.reduce((sum, [, , rss]) => sum + rss, 0), kind: 'RSS' };
}

interface SeatctlRun {
  ms: number;
  /** Submit-to-finish of each job in the burst, ms, in submission order. */
  jobMs: number[];
  /** The same kind of job (one person, four apps) through the same service with nothing else queued. */
  aloneMs: number;
  /** Chromium tree memory in each quarter of the burst (peak per quarter, MB): flat or growing. */
  chromiumQuartersMb: number[];
  submitMs: number;
  logins: Record<string, number>;
  consoleTasks: number;
  changed: number;
  chromium: { peakMb: number; kind: string } | null;
  browserLaunches: number;
}

async function seatctlRun(): Promise<SeatctlRun> {
  const env = await benchEnv([...FIXTURE_APPS], options());
  const { runtime, consoleRuntime } = env.engine();
  const store = await openJobStore(runtime.config);
  // A job changes at most 4 accounts: under the cap, and nobody asks for approval.
  const service = createService({ config: runtime.config, runtime, store, approvals: { ...DEFAULT_APPROVALS, blastRadius: 10, require: [] }, log: runtime.log, auth: singleTokenAuthenticator(TOKEN) });
  const chromium = { kb: 0, kind: 'RSS' };
  const samples: { at: number; kb: number }[] = [];
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const pid = consoleRuntime.pool.pid();
      const now = pid ? await treeMemoryKb(pid).catch(() => null) : null;
      if (now) samples.push({ at: performance.now(), kb: now.kb });
      if (now && now.kb > chromium.kb) Object.assign(chromium, now);
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  try {
    await service.start();
    const url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    const submit = async (email: string): Promise<{ id: string; at: number }> => {
      const at = performance.now();
      const res = await fetch(`${url}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'offboard', email, requireApproval: false }),
      });
      if (res.status !== 202) throw new Error(`POST /v1/jobs: ${res.status} ${await res.text()}`);
      return { id: ((await res.json()) as { job: { id: string } }).job.id, at };
    };
    // A job alone first (sessions warm, as in the burst): the yardstick for the median.
    const alone = await submit(alonePerson());
    await service.idle();
    const aloneMs = Date.parse((await store.get(alone.id))!.job.finishedAt!) - Date.parse((await store.get(alone.id))!.job.createdAt);
    const started = performance.now();
    const ids: string[] = [];
    for (const email of people()) ids.push((await submit(email)).id);
    const submitMs = performance.now() - started;
    await service.idle();
    const ms = performance.now() - started;
    const jobMs: number[] = [];
    for (const id of ids) {
      const j = (await store.get(id))!.job;
      jobMs.push(Date.parse(j.finishedAt ?? new Date().toISOString()) - Date.parse(j.createdAt));
    }
    const quarter = (k: number) => samples.filter((x) => x.at >= started + (k * ms) / 4 && x.at < started + ((k + 1) * ms) / 4).reduce((m, x) => Math.max(m, x.kb), 0);
    const chromiumQuartersMb = [0, 1, 2, 3].map((k) => Math.round(quarter(k) / 1024));

    let changed = 0;
    let consoleTasks = 0;
    for (const id of ids) {
      const stored = await store.get(id);
      if (!stored || stored.job.status !== 'succeeded') throw new Error(`job ${id} ended ${stored?.job.status}`);
      checkOutcomes(stored.job);
      changed += stored.job.tasks.filter((t) => t.outcome === 'changed').length;
      consoleTasks += stored.job.tasks.filter((t) => CONSOLES.includes(t.app as FixtureApp)).length;
    }
    return { ms, jobMs, aloneMs, chromiumQuartersMb, submitMs, logins: await consoleLogins(env), consoleTasks, changed, chromium: chromium.kb ? { peakMb: Math.round(chromium.kb / 1024), kind: chromium.kind } : null, browserLaunches: consoleRuntime.pool.stats.launches };
  } finally {
    sampling = false;
    await sampler;
    await service.stop(60_000);
    await env.close();
  }
}

/**
 * Bill.com accepts each TOTP code once per 30 s step (as real verifiers do), and the
 * flow tries this step's and the next one's. A login per task soon uses them up, so
 * the naive script must wait for the next step: part of what logging in per task
 * costs, measured separately.
 */
async function naiveTask(env: BenchEnv, email: string, app: FixtureApp): Promise<number> {
  for (let waitedMs = 0; ; ) {
    try {
      await naiveOffboardApp(env, email, app, checkOutcomes);
      return waitedMs;
    } catch (err) {
      if (app !== 'billcom' || !/MFA codes refused/.test((err as Error).message) || waitedMs > 0) throw err;
      const wait = 30_000 - (Date.now() % 30_000) + 500;
      await new Promise((r) => setTimeout(r, wait));
      waitedMs += wait;
    }
  }
}

async function naiveRun(): Promise<{ ms: number; perPersonMs: number; mfaWaitMs: number; logins: Record<string, number> }> {
  const env = await benchEnv([...FIXTURE_APPS], options());
  try {
    let mfaWaitMs = 0;
    const started = performance.now();
    for (const email of people().slice(0, NAIVE_SAMPLE)) for (const app of FIXTURE_APPS) mfaWaitMs += await naiveTask(env, email, app);
    const ms = performance.now() - started;
    return { ms, perPersonMs: ms / NAIVE_SAMPLE, mfaWaitMs, logins: await consoleLogins(env) };
  } finally {
    await env.close();
  }
}

const perMin = (jobs: number, ms: number) => (jobs / (ms / 60_000)).toFixed(1);

export async function benchService200(): Promise<BenchResult> {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const ours = await seatctlRun();
  // Printed before the naive run starts, so a long or failed naive run loses nothing.
  console.log(`\n${JOBS} offboarding jobs over HTTP, 4 apps each (${JOBS * 4} tasks, ${ours.changed} accounts changed), latency profile`);
  console.log(`seatctl service: ${seconds(ours.ms)} wall (POSTs took ${seconds(ours.submitMs)}), ${perMin(JOBS, ours.ms)} jobs/min`);
  const sorted = [...ours.jobMs].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  console.log(`  each job, submit to finish: first ${seconds(sorted[0] ?? 0)}, p50 ${seconds(pct(50))}, p90 ${seconds(pct(90))}, last ${seconds(sorted.at(-1) ?? 0)}; the same job alone ${seconds(ours.aloneMs)}: median/alone ${(pct(50) / ours.aloneMs).toFixed(1)}x (goal ≤ 3x)`);
  console.log(`  Chromium tree memory, peak per quarter of the burst: ${ours.chromiumQuartersMb.map((m) => `${m} MB`).join(', ')}; ${ours.browserLaunches} browser launch(es)`);
  console.log(`  console logins ${sum(ours.logins)} for ${ours.consoleTasks} console tasks (${CONSOLES.map((a) => `${a} ${ours.logins[a]}`).join(', ')}; ${ours.browserLaunches} browser launch(es))`);

  const naive = await naiveRun();
  const naiveMs = naive.perPersonMs * JOBS;
  const extrapolated = NAIVE_SAMPLE < JOBS;
  const star = extrapolated ? '*' : '';
  const noWaitMs = ((naive.ms - naive.mfaWaitMs) / NAIVE_SAMPLE) * JOBS;
  console.log(`naive:           ${seconds(naiveMs)}${star} (${seconds(naive.perPersonMs)} per person), ${perMin(JOBS, naiveMs)} jobs/min${star}`);
  console.log(`  of which waiting for a fresh Bill.com TOTP step: ${seconds(naive.mfaWaitMs)} of ${seconds(naive.ms)} measured; without it ${seconds(noWaitMs)}${star}, ${perMin(JOBS, noWaitMs)} jobs/min${star}`);
  console.log(`  console logins ${sum(naive.logins)} for ${NAIVE_SAMPLE * CONSOLES.length} console tasks (one per task, plus the sign-ins whose MFA code was refused)`);
  console.log(`ratio:           seatctl/naive throughput ${(naiveMs / ours.ms).toFixed(1)}x (${(noWaitMs / ours.ms).toFixed(1)}x against the naive without MFA waits)`);
  console.log(`peak RSS:        bench process ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (service + the four simulators, both runs); Chromium tree ${ours.chromium ? `${ours.chromium.peakMb} MB ${ours.chromium.kind}` : 'not measured'} (seatctl run, sampled every 0.5 s)`);
  if (extrapolated) console.log(`* naive EXTRAPOLATED linearly from ${NAIVE_SAMPLE} of ${JOBS} offboardings (${seconds(naive.ms)} measured); BENCH_NAIVE_FULL=1 runs all ${JOBS}.`);
  const note = `${sum(ours.logins)} console logins vs ~1 per task${extrapolated ? `; naive extrapolated from ${NAIVE_SAMPLE}` : ''}`;
  return { name: `${JOBS} offboardings via the service`, seatctlMs: ours.ms, naiveMs, note };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchService200();
  console.log(`${r.name}: seatctl ${seconds(r.seatctlMs)}, naive ${seconds(r.naiveMs)}, naive/seatctl ${(r.naiveMs / r.seatctlMs).toFixed(2)}x`);
}
