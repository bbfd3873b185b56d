import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEvidenceSink } from '../src/audit/evidence-sink.js';
import type { DriverCallContext } from '../src/drivers/driver.js';
import { benchEnv } from './harness.js';
import { median, seconds } from './profile.js';

/**
 * What the shared queue costs per task: 1,000 BigID look-ups through the scheduler
 * (per-app p-queue, retry policy, attempt accounting) versus the same 1,000 driver
 * calls made directly by a hand-written pool of the same width. The simulator adds no
 * latency here, so the queue's own cost is as visible as it can be.
 */
const TASKS = Number(process.env.BENCH_SCHEDULER_TASKS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WIDTH = 4;
const EMAILS = ['jdoe@example.com', 'asmith@example.com', 'samlsam@example.com', 'it-admin@example.com'];

export async function benchSchedulerOverhead(): Promise<{ name: string; seatctlMs: number; naiveMs: number; note: string }> {
  const env = await benchEnv(['bigid'], { faults: { latencyMs: 0, jitterMs: 0 }, appConfig: { bigid: { concurrency: WIDTH } } });
  const { runtime } = env.engine();
  const driver = runtime.driver('bigid');
  const policy = runtime.app('bigid').retry;
  // One real evidence sink for both sides: request records are part of a driver call.
  const ctx: DriverCallContext = { evidence: createEvidenceSink(path.join(env.fixtures.dataDir, 'bench-evidence'), runtime.redactor), dryRun: false };
  const check = (u: unknown, i: number) => {
    if (!u) throw new Error(`look-up ${i} found nobody`);
  };
  try {
    await driver.findUser(EMAILS[0]!, ctx); // log in once, outside the clock
    const viaScheduler = async () => {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: TASKS }, (_, i) =>
          runtime.scheduler.run({ app: 'bigid', label: 'find user', kind: 'read', policy, run: () => driver.findUser(EMAILS[i % EMAILS.length]!, ctx) }).then((r) => check(r.value, i)),
        ),
      );
      return performance.now() - started;
    };
    const direct = async () => {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: WIDTH }, async () => {
          while (next < TASKS) {
            const i = next++;
            check(await driver.findUser(EMAILS[i % EMAILS.length]!, ctx), i);
          }
        }),
      );
      return performance.now() - started;
    };
    const ours: number[] = [];
    const bare: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      ours.push(await viaScheduler());
      bare.push(await direct());
    }
    return { name: `scheduler: ${TASKS} API tasks vs direct`, seatctlMs: median(ours), naiveMs: median(bare), note: `BigID findUser, ${WIDTH} in flight, no added latency, median of ${ROUNDS}; "naive" column = direct driver calls` };
  } finally {
    await runtime.close();
    await env.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchSchedulerOverhead();
  const perTask = (r.seatctlMs - r.naiveMs) / TASKS;
  console.log(`${r.name}: scheduler ${seconds(r.seatctlMs)}, direct ${seconds(r.naiveMs)}, overhead ${perTask.toFixed(3)} ms per task (${r.note})`);
}
