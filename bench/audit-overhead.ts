import { pathToFileURL } from 'node:url';
import { NO_APPROVAL_GATE, runToEnd } from '../src/engine/run-to-end.js';
import { actionRequestSchema, type Job } from '../src/model/index.js';
import { benchEnv } from './harness.js';
import { LATENCY_PROFILE, median, seconds } from './profile.js';

/**
 * What the console audit trail costs: the same console work (set a role, then
 * offboard, on Stitch and Bill.com) with the screenshot trail and traces on (the
 * default) and off. "seatctl" is the audited run, "baseline" the bare one, so the
 * ratio below 1.00x is the price of the evidence.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const APPS = ['stitch', 'billcom'] as const;

async function round(audited: boolean): Promise<number> {
  const env = await benchEnv([...APPS], { ...LATENCY_PROFILE, config: { browser: { headless: true, screenshots: audited, trace: audited } } });
  const { runtime } = env.engine();
  try {
    // Warm-up outside the clock: browser start and login are the same either way.
    await runToEnd(runtime, actionRequestSchema.parse({ kind: 'set-role', email: 'asmith@example.com', roles: { stitch: 'Administrator', billcom: 'Clerk' } }), { approvals: NO_APPROVAL_GATE });
    const started = performance.now();
    const job = await runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email: 'jdoe@example.com', apps: [...APPS] }), { approvals: NO_APPROVAL_GATE });
    const elapsed = performance.now() - started;
    assertChanged(job);
    const shots = job.tasks.reduce((n, t) => n + t.evidence.filter((e) => e.kind === 'screenshot').length, 0);
    if (audited ? shots === 0 : shots > 0) throw new Error(`audit ${audited ? 'on' : 'off'} run recorded ${shots} screenshots`);
    return elapsed;
  } finally {
    await runtime.close();
    await env.close();
  }
}

function assertChanged(job: Job): void {
  const bad = job.tasks.filter((t) => t.outcome !== 'changed');
  if (bad.length) throw new Error(`audit-overhead run did not offboard: ${bad.map((t) => `${t.app}=${t.outcome} ${t.error?.message ?? ''}`).join('; ')}`);
}

export async function benchAuditOverhead(): Promise<{ name: string; seatctlMs: number; naiveMs: number; note: string }> {
  const on: number[] = [];
  const off: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    on.push(await round(true));
    off.push(await round(false));
  }
  return {
    name: 'audit trail: screenshots+trace on vs off',
    seatctlMs: median(on),
    naiveMs: median(off),
    note: `offboarding on 2 consoles, median of ${ROUNDS}; "naive" column = evidence off`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchAuditOverhead();
  console.log(`${r.name}: on ${seconds(r.seatctlMs)}, off ${seconds(r.naiveMs)}, overhead ${(((r.seatctlMs - r.naiveMs) / r.naiveMs) * 100).toFixed(0)}% (${r.note})`);
}
