import { NO_APPROVAL_GATE, runToEnd } from '../src/engine/run-to-end.js';
import { actionRequestSchema, type Job } from '../src/model/index.js';
import { FIXTURE_APPS, type FixtureApp } from '../fixtures/launch.js';
import { benchEnv, type BenchEnv } from './harness.js';
import { LATENCY_PROFILE, median, seconds } from './profile.js';

/**
 * Offboarding one person from the four simulated apps.
 * seatctl: one job, tasks in parallel through the per-app queues, one browser, one
 *          login per console.
 * naive:   the apps one after another, a fresh browser and a fresh login for each
 *          console task — what a hand-written script per app does.
 * Each round starts from fresh simulators so both offboard an active jdoe.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const request = actionRequestSchema.parse({ kind: 'offboard', email: 'jdoe@example.com' });

async function seatctlRound(): Promise<number> {
  const env = await benchEnv([...FIXTURE_APPS], LATENCY_PROFILE);
  const { runtime } = env.engine();
  try {
    const started = performance.now();
    const job = await runToEnd(runtime, request, { approvals: NO_APPROVAL_GATE });
    const elapsed = performance.now() - started;
    assertDone(job);
    return elapsed;
  } finally {
    await runtime.close();
    await env.close();
  }
}

async function naiveRound(): Promise<number> {
  const env = await benchEnv([...FIXTURE_APPS], LATENCY_PROFILE);
  try {
    const started = performance.now();
    await naiveOffboard(env, 'jdoe@example.com');
    return performance.now() - started;
  } finally {
    await env.close();
  }
}

/**
 * The naive baseline for one person: the apps one after another, each with a new
 * engine — new browser, new login, nothing shared (service-200.ts runs it app by app).
 */
export async function naiveOffboard(env: BenchEnv, email: string, check: (job: Job) => void = assertDone): Promise<void> {
  for (const app of FIXTURE_APPS) await naiveOffboardApp(env, email, app, check);
}

/** One app of the naive baseline: a new engine (browser, login) for this one task. */
export async function naiveOffboardApp(env: BenchEnv, email: string, app: FixtureApp, check: (job: Job) => void = assertDone): Promise<void> {
  const { runtime } = env.engine();
  try {
    check(await runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email, apps: [app] }), { approvals: NO_APPROVAL_GATE }));
  } finally {
    await runtime.close();
  }
}

function assertDone(job: Job): void {
  const bad = job.tasks.filter((t) => t.outcome !== 'changed');
  if (bad.length) throw new Error(`benchmark run did not offboard: ${bad.map((t) => `${t.app}=${t.outcome} ${t.error?.message ?? ''}`).join('; ')}`);
}

export async function benchOffboardOne(): Promise<{ name: string; seatctlMs: number; naiveMs: number }> {
  const ours: number[] = [];
  const naive: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate so drift in machine load hits both sides alike.
    ours.push(await seatctlRound());
    naive.push(await naiveRound());
  }
  return { name: 'offboard one person, 4 apps', seatctlMs: median(ours), naiveMs: median(naive) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchOffboardOne();
  console.log(`${r.name}: seatctl ${seconds(r.seatctlMs)}, naive ${seconds(r.naiveMs)}, naive/seatctl ${(r.naiveMs / r.seatctlMs).toFixed(2)}x (median of ${ROUNDS})`);
}
