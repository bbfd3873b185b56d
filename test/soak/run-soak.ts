/**
 * Soak: the job service under a bounded load on the four simulators with faults on,
 * then checks for lost jobs, duplicate mutations, leaked browsers and memory growth.
 * `npm run soak`. Knobs (env): SOAK_JOBS (1000), SOAK_RATE jobs/s (4),
 * SOAK_MAX_MINUTES (10), SOAK_USERS people in BigID and Sigma (500), SOAK_CONSOLE_USERS
 * people in Stitch and Bill.com (150), SOAK_SEED (7), SOAK_CONSOLE_HTTP_FAULTS (0.25:
 * the consoles' own backends get that share of the API fault rates), SOAK_TRACE=1 turns
 * Playwright traces on (off by default here), SOAK_KEEP=1 keeps the temp dir (it is
 * kept anyway when a check fails).
 * Exit code 0 = every check passed, 1 = any violation (or the run did not finish in time).
 * Loopback only: simulators and service listen on 127.0.0.1.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_APPS, type FixtureApp } from '../../fixtures/launch.js';
import { openJobStore, type AttemptRecord } from '../../src/store/index.js';
import { DEFAULT_APPROVALS } from '../../src/config/approval-schema.js';
import { allJobs, checkNoDuplicateMutations, checkNoLostJobs, type CheckResult } from './checks.js';
import { createJobMix, type Submission } from './job-mix.js';
import { descendants, formatSamples, isChromium, median, startSampler } from './sampler.js';
import { readSimState, type SimState } from './sim-state.js';
import { startSoakEnv } from './soak-env.js';
import { summarize } from './summary.js';
import { createServiceClient, nextSubmission } from './submitter.js';

const num = (name: string, fallback: number, min = Number.MIN_VALUE): number => {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(v) || v < min) {
    console.error(`${name}: expected a positive number, got ${raw}`);
    process.exit(2);
  }
  return v;
};

const JOBS = Math.floor(num('SOAK_JOBS', 1000));
const RATE = num('SOAK_RATE', 4);
const MAX_MINUTES = num('SOAK_MAX_MINUTES', 10);
const USERS = Math.floor(num('SOAK_USERS', 500));
const CONSOLE_USERS = Math.floor(num('SOAK_CONSOLE_USERS', 150));
const SEED = Math.floor(num('SOAK_SEED', 7));
/** The consoles' backends get the API fault rates times this (0 = console faults only). */
const CONSOLE_HTTP_SCALE = num('SOAK_CONSOLE_HTTP_FAULTS', 0.25, 0);
/** Traces cost Chromium a screencast per context; on a small shared box they decide whether 1,000 jobs fit in 10 min. */
const TRACE = process.env.SOAK_TRACE === '1';
const KEEP = process.env.SOAK_KEEP === '1';
const SAMPLE_MS = 5000;

const FAULTS = { latencyMs: 5, jitterMs: 20, errorRate: 0.03, rate429: 0.03, retryAfterSeconds: 1, resetAfterCommitRate: 0.02, resetRate: 0.01 };
const CONSOLE_HTTP_FAULTS = {
  ...FAULTS,
  ...Object.fromEntries((['errorRate', 'rate429', 'resetAfterCommitRate', 'resetRate'] as const).map((k) => [k, FAULTS[k] * CONSOLE_HTTP_SCALE])),
};
const CONSOLE_FAULTS = { pageLatencyMs: 20, whatsNewModalRate: 0.05, cookieBanner: true, sessionExpiryAfterRequests: 120, slowTableMs: 150 };

const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readStates = async (urls: Record<FixtureApp, string>) =>
  Object.fromEntries(await Promise.all(FIXTURE_APPS.map(async (a) => [a, await readSimState(a, urls[a])] as const))) as Record<FixtureApp, SimState>;

async function main(): Promise<number> {
  const startedAt = Date.now();
  const deadline = startedAt + MAX_MINUTES * 60_000;
  // A last resort: whatever hangs, the run ends (and says so) shortly after its budget.
  setTimeout(() => {
    console.error(`soak: FAIL: still running ${MAX_MINUTES} min + 2 min after the start (hang); exiting`);
    process.exit(1);
  }, (MAX_MINUTES * 60 + 120) * 1000).unref();

  log(`jobs ${JOBS} at ${RATE}/s, budget ${MAX_MINUTES} min, ${USERS} people in the API apps, ${CONSOLE_USERS} in the consoles, seed ${SEED}, traces ${TRACE ? 'on' : 'off'}; load: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
  log(`API faults ${JSON.stringify(FAULTS)}; console backends ×${CONSOLE_HTTP_SCALE}; console faults ${JSON.stringify(CONSOLE_FAULTS)}`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-soak-'));
  const env = await startSoakEnv({ dir, users: USERS, consoleUsers: CONSOLE_USERS, seed: SEED, faults: FAULTS, consoleHttpFaults: CONSOLE_HTTP_FAULTS, consoleFaults: CONSOLE_FAULTS, approvals: { ...DEFAULT_APPROVALS, blastRadius: 1000 }, trace: TRACE });
  const urls = Object.fromEntries(FIXTURE_APPS.map((a) => [a, env.fixtures.apps[a]!.stateUrl])) as Record<FixtureApp, string>;
  log(`service on ${env.url}; data dir ${env.config.dataDir}`);
  const initial = await readStates(urls);
  const mix = createJobMix(SEED, initial);
  const client = createServiceClient(env.url, env.token);
  const pool = env.consoleRuntime.pool;
  const progress = { done: 0 };
  const sampler = startSampler(SAMPLE_MS, () => ({ openContexts: pool.stats.open, jobsDone: progress.done }));
  const subs: Submission[] = [];
  const distinctSoFar = () => new Set(subs.filter((s) => s.jobId).map((s) => s.jobId)).size;
  const updateProgress = async () => {
    const p = await client.pending();
    const open = p.planned + p.running + p.awaiting_approval;
    progress.done = distinctSoFar() - open;
    return p;
  };
  const poller = setInterval(() => void updateProgress().catch(() => undefined), SAMPLE_MS);

  // Submit at a bounded rate.
  let timedOut = false;
  const submitStart = Date.now();
  for (let n = 0; n < JOBS; n++) {
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    const wait = submitStart + (n * 1000) / RATE - Date.now();
    if (wait > 0) await sleep(wait);
    const s = await nextSubmission(n, mix, subs, client);
    subs.push(s);
    await client.submit(s);
    if ((n + 1) % 100 === 0) log(`submitted ${n + 1}/${JOBS}`);
  }
  const submitted = Date.now();
  clearInterval(poller);
  const distinct = distinctSoFar();

  // Wait for every job to finish (or to get stuck waiting for an approval nobody gives).
  let lastReport = 0;
  let stalledSince: number | null = null;
  for (;;) {
    const p = await updateProgress();
    if (p.planned + p.running + p.awaiting_approval === 0) break;
    if (p.planned + p.running === 0) {
      stalledSince ??= Date.now();
      if (Date.now() - stalledSince > 30_000) break;
    } else stalledSince = null;
    if (Date.now() > deadline) {
      timedOut = true;
      break;
    }
    if (Date.now() - lastReport > 30_000) {
      lastReport = Date.now();
      log(`waiting: ${p.planned} planned, ${p.running} running, ${p.awaiting_approval} awaiting approval; ${progress.done}/${distinct} done`);
    }
    await sleep(2000);
  }
  const drainedAt = Date.now();
  await sampler.take();
  sampler.stop();
  const runSamples = [...sampler.samples];
  const openAtEnd = pool.stats.open;
  const poolStats = { ...pool.stats };
  const schedulerStats = Object.fromEntries(FIXTURE_APPS.map((a) => [a, env.runtime.scheduler.stats(a)]));
  const logins = Object.fromEntries(env.consoleRuntime.logins);
  log(timedOut ? `time budget of ${MAX_MINUTES} min used up` : `all ${distinct} jobs settled in ${((drainedAt - submitStart) / 1000).toFixed(0)} s`);

  // Stop the service as SIGTERM would, then look for browser processes left behind.
  await client.close();
  const stop = await env.service.stop(timedOut ? 5000 : 30_000);
  let chromiumLeft = (await descendants()).filter(isChromium);
  const stopPolled = Date.now();
  while (chromiumLeft.length && Date.now() - stopPolled < 10_000) {
    await sleep(500);
    chromiumLeft = (await descendants()).filter(isChromium);
  }

  // Ground truth: the store, reopened from disk, against the simulators' logs.
  const store = await openJobStore(env.config);
  const jobs = await allJobs(store);
  const attempts = new Map<string, AttemptRecord[]>();
  for (const j of jobs) attempts.set(j.job.id, await store.attempts(j.job.id));
  await store.close();
  const final = await readStates(urls);
  await env.fixtures.close();

  const checks: CheckResult[] = [];
  checks.push({
    name: 'finished within the budget',
    pass: !timedOut,
    figures: timedOut ? `NOT finished in ${MAX_MINUTES} min (submitted ${subs.length}/${JOBS}, ${progress.done}/${distinct} settled)` : `${subs.length} submitted, all settled in ${((drainedAt - startedAt) / 60_000).toFixed(1)} of ${MAX_MINUTES} min; service stop drained: ${stop.drained}`,
    problems: stop.cutShort.map((id) => `job ${id} cut short by stop()`),
  });
  checks.push(checkNoLostJobs(subs, jobs));
  const mutations = checkNoDuplicateMutations(subs, jobs, attempts, initial, final);
  checks.push(mutations);

  const cap = Object.values(env.config.apps)
    .filter((a) => a.definition.kind === 'console')
    .reduce((s, a) => s + a.concurrency + 1, 0);
  const maxChromium = Math.max(0, ...runSamples.map((s) => s.chromiumProcs));
  const leakProblems = [
    ...(openAtEnd && !timedOut ? [`${openAtEnd} browser context(s) still open after every job settled`] : []),
    ...(poolStats.peakOpen > cap ? [`${poolStats.peakOpen} contexts open at once, above the cap of ${cap} (console concurrency + one login per console app)`] : []),
    ...chromiumLeft.map((p) => `Chromium process ${p.pid} (${p.comm}) still running 10 s after stop()`),
  ];
  checks.push({
    name: 'zero leaked browsers',
    pass: leakProblems.length === 0,
    figures: `peak open contexts ${poolStats.peakOpen} (cap ${cap}), open after the run ${openAtEnd}; ${poolStats.contexts} contexts in ${poolStats.launches} browser launch(es), ${poolStats.crashes} crash(es); up to ${maxChromium} Chromium processes during the run, ${chromiumLeft.length} after stop()`,
    problems: leakProblems,
  });

  const third = Math.floor(runSamples.length / 3);
  const mid = median(runSamples.slice(third, 2 * third).map((s) => s.rssMb));
  const last = median(runSamples.slice(2 * third).map((s) => s.rssMb));
  const chromiumMid = median(runSamples.slice(third, 2 * third).map((s) => s.chromiumRssMb));
  const chromiumLast = median(runSamples.slice(2 * third).map((s) => s.chromiumRssMb));
  checks.push({
    name: 'memory flat after warm-up',
    pass: third >= 2 && last <= mid * 1.3,
    figures: `process RSS median ${mid.toFixed(0)} MB over the 2nd third of ${runSamples.length} samples, ${last.toFixed(0)} MB over the last third (${(((last - mid) / mid) * 100).toFixed(1)}%, limit +30%); Chromium summed RSS ${chromiumMid.toFixed(0)} → ${chromiumLast.toFixed(0)} MB`,
    problems: third < 2 ? ['too few samples to judge (run longer)'] : [],
  });

  const logText = await readFile(env.logFile, 'utf8').catch(() => '');
  console.log('');
  console.log(summarize({ subs, jobs, startedAt: submitStart, drainedAt, submittedAt: submitted, schedulerStats, logins, logText }));
  console.log('\nMemory and browser processes (every ~5 s):');
  console.log(formatSamples(runSamples));
  console.log('\nChecks:');
  for (const c of checks) {
    console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.figures}`);
    for (const p of c.problems.slice(0, 25)) console.log(`          - ${p}`);
    if (c.problems.length > 25) console.log(`          … and ${c.problems.length - 25} more`);
    for (const n of c.notes ?? []) console.log(`          note: ${n}`);
  }
  const pass = checks.every((c) => c.pass);
  console.log(`\nSOAK ${pass ? 'PASSED' : 'FAILED'} (${((Date.now() - startedAt) / 60_000).toFixed(1)} min; load now ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  if (KEEP || !pass) {
    const dump = { submissions: subs, checks, mutations: Object.fromEntries(FIXTURE_APPS.map((a) => [a, final[a].mutations])) };
    await writeFile(path.join(dir, 'soak-result.json'), JSON.stringify(dump, null, 2));
    console.log(`data kept in ${dir} (service log: ${env.logFile}; submissions, checks and mutation logs: soak-result.json)`);
  }
  else await rm(dir, { recursive: true, force: true });
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error('soak: FAIL: the run itself broke:', err);
    process.exit(1);
  },
);
