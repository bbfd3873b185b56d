import { NO_APPROVAL_GATE, runToEnd } from '../src/engine/run-to-end.js';
import { actionRequestSchema, type Job } from '../src/model/index.js';
import { benchEnv } from './harness.js';
import { BILLCOM_TASK_MS, LATENCY_PROFILE, median, seconds, STITCH_CALL_MS, STITCH_VISIT_MS } from './profile.js';

/**
 * One console offboarding task on a warm worker: the session is signed in already (a
 * task for someone else ran first on the same engine), so the figure is what every task
 * after a worker's first costs. Next to it, its floor: the page loads and calls the task
 * must make one after another × the latency profile (bench/profile.ts), sign-in
 * excluded. The ratio is the price of everything else — browser contexts, screenshots,
 * the trace, the engine.
 *
 * An offboarding task is three driver calls (run here with console visits off, so each
 * loads its page as a task on its own does): the plan's find, the engine's look-up just
 * before the change (it never acts on an account that changed since the plan), and the
 * deactivation, which reads the account back from the page's own reload after the change.
 *
 * The batch row: BATCH Stitch offboardings submitted together on a warm worker, which
 * continue one another's signed-in visits of Team Members (console visits,
 * docs/consoles.md), next to BATCH × the single-task figure above. The same batch with
 * visits off (`visitWindowMs: 0`) is printed too, so what the visits save is told apart
 * from what the app's two tasks at a time save.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP = 'asmith@example.com';
const SUBJECT = 'jdoe@example.com';
const BATCH = Number(process.env.BENCH_BATCH ?? 10);

interface ConsoleTask {
  app: 'stitch' | 'billcom';
  /** The sequence the floor counts, in words. */
  steps: string;
  floorMs: number;
}

const TASKS: ConsoleTask[] = [
  {
    app: 'stitch',
    // The page reloads the team after the change itself, and that redrawn table is the read-back.
    steps: 'plan: Team Members; look-up: Team Members; deactivate: Team Members, POST deactivate, the page\'s /api/team reload (the read-back)',
    floorMs: 2 * STITCH_VISIT_MS + (STITCH_VISIT_MS + 2 * STITCH_CALL_MS),
  },
  {
    app: 'billcom',
    steps: 'plan: Users search; look-up: Users search; deactivate: the user\'s page, POST deactivate, read-back Users search',
    floorMs: BILLCOM_TASK_MS,
  },
];

interface Measured {
  ms: number;
  /** Browser contexts made during the measured task (sign-in contexts included). */
  contexts: number;
  logins: number;
}

async function round(app: ConsoleTask['app']): Promise<Measured> {
  // Visits off: the measured task must not continue the warm-up task's visit of Team
  // Members, so this is a task on its own (three page loads), the figure the floor counts
  // and the batch row compares against.
  const env = await benchEnv([app], { ...LATENCY_PROFILE, appConfig: { [app]: { options: { visitWindowMs: 0 } } } });
  const { runtime, consoleRuntime } = env.engine();
  try {
    assertDone(await runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email: WARMUP, apps: [app] }), { approvals: NO_APPROVAL_GATE }));
    const contextsBefore = consoleRuntime.pool.stats.contexts;
    const started = performance.now();
    const job = await runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email: SUBJECT, apps: [app] }), { approvals: NO_APPROVAL_GATE });
    const ms = performance.now() - started;
    assertDone(job);
    return { ms, contexts: consoleRuntime.pool.stats.contexts - contextsBefore, logins: consoleRuntime.logins.get(app) ?? 0 };
  } finally {
    await runtime.close();
    await env.close();
  }
}

interface BatchMeasured {
  ms: number;
  /** Team Members page loads (the page shell) the batch made. */
  loads: number;
}

/** BATCH Stitch offboardings submitted at once on a warm worker. */
async function batchRound(visitWindowMs: number): Promise<BatchMeasured> {
  const env = await benchEnv(['stitch'], { ...LATENCY_PROFILE, users: BATCH + 4, appConfig: { stitch: { options: { visitWindowMs } } } });
  const { runtime } = env.engine();
  const sim = env.fixtures.stitch!;
  try {
    assertDone(await runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email: WARMUP, apps: ['stitch'] }), { approvals: NO_APPROVAL_GATE }));
    const people = sim.store
      .all()
      .filter((m) => m.status === 'Active' && m.email !== sim.credentials.email.toLowerCase())
      .map((m) => m.email)
      .slice(0, BATCH);
    if (people.length < BATCH) throw new Error(`only ${people.length} active Stitch members for a batch of ${BATCH}`);
    const from = sim.faults.requests.length;
    const started = performance.now();
    const jobs = await Promise.all(people.map((email) => runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email, apps: ['stitch'] }), { approvals: NO_APPROVAL_GATE })));
    const ms = performance.now() - started;
    jobs.forEach(assertDone);
    const loads = sim.faults.requests.slice(from).filter((r) => r.method === 'GET' && r.path === '/account/team').length;
    return { ms, loads };
  } finally {
    await runtime.close();
    await env.close();
  }
}

function assertDone(job: Job): void {
  const bad = job.tasks.filter((t) => t.outcome !== 'changed');
  if (bad.length) throw new Error(`benchmark run did not offboard: ${bad.map((t) => `${t.app}=${t.outcome} ${t.error?.message ?? ''}`).join('; ')}`);
}

export async function benchConsoleTask(): Promise<{ name: string; seatctlMs: number; naiveMs: number; note: string }> {
  console.log(`one console offboarding task, warm session, median of ${ROUNDS}; floor = page loads and calls in sequence × latency profile`);
  console.log('app       task                    floor      seatctl    ratio   contexts/task  logins');
  let worst = { ratio: 0, ms: 0, floor: 1, app: '' };
  let stitchSingleMs = 0;
  for (const t of TASKS) {
    const runs: Measured[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await round(t.app));
    const ms = median(runs.map((r) => r.ms));
    if (t.app === 'stitch') stitchSingleMs = ms;
    const ratio = ms / t.floorMs;
    if (ratio > worst.ratio) worst = { ratio, ms, floor: t.floorMs, app: t.app };
    console.log(
      `${t.app.padEnd(9)} ${'offboard'.padEnd(23)} ${seconds(t.floorMs).padEnd(10)} ${seconds(ms).padEnd(10)} ${`${ratio.toFixed(2)}x`.padEnd(7)} ${String(median(runs.map((r) => r.contexts))).padEnd(14)} ${median(runs.map((r) => r.logins))}`,
    );
    console.log(`          floor: ${t.steps}`);
  }
  // One batch round each (a batch is 10 tasks already): visits on (the default window), then off.
  const on = await batchRound(10_000);
  const off = await batchRound(0);
  console.log(`\nstitch batch: ${BATCH} offboardings submitted together, warm session, one round each; single = the median task above`);
  console.log('visits    batch total  per task   single     per task / single   Team Members loads');
  for (const [label, b] of [['on', on], ['off', off]] as const) {
    const perTask = b.ms / BATCH;
    console.log(`${label.padEnd(9)} ${seconds(b.ms).padEnd(12)} ${seconds(perTask).padEnd(10)} ${seconds(stitchSingleMs).padEnd(10)} ${`${(perTask / stitchSingleMs).toFixed(2)}x`.padEnd(19)} ${b.loads} (${(b.loads / BATCH).toFixed(1)} per task)`);
  }
  console.log(`          batch vs ${BATCH} × single: ${seconds(on.ms)} vs ${seconds(BATCH * stitchSingleMs)} (${(on.ms / (BATCH * stitchSingleMs)).toFixed(2)}x)`);
  // The summary row: the worst app, its floor in the baseline column (ratio floor/seatctl ≥ 0.67 meets ≤ 1.5× its floor).
  return { name: `console task vs floor (worst: ${worst.app})`, seatctlMs: worst.ms, naiveMs: worst.floor, note: `baseline = floor; goal ≤ 1.5× floor, i.e. ≥ 0.67x here; median of ${ROUNDS}` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchConsoleTask();
}
