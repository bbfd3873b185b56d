import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import pg from 'pg';
import { generatePeople } from '../fixtures/common/people.js';
import { launchFixtures, type LaunchedFixtures } from '../fixtures/launch.js';
import { seconds } from './profile.js';

/**
 * Issue 14 item 6: 200 offboardings (BigID + Sigma each) through `seatctl serve --no-work`
 * and 1, 2 and 4 `seatctl worker` processes sharing BullMQ queues on the local Redis and
 * the PostgreSQL job store. The simulators answer after 80 ± 40 ms, so the work waits on
 * I/O and more workers can help even on 2 cores. Printed per worker count: wall time,
 * jobs per minute, the ratio to one worker, and the most requests each app saw at once
 * (never above its `concurrency`: the caps hold across workers). Each worker takes at
 * most 2 steps per app at once (`queue.stepConcurrency`, a machine's share), and each
 * app allows 8, so workers add capacity until four of them reach the apps' caps.
 *
 * Only API apps: four Chromiums on 2 cores would measure the CPU, not the queues.
 * Each run uses its own Redis key prefix and PostgreSQL schema and removes only those.
 */
const JOBS = Number(process.env.BENCH_SCALE_JOBS ?? 200);
const WORKER_COUNTS = (process.env.BENCH_SCALE_WORKERS ?? '1,2,4').split(',').map(Number);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SEED = 314;
const CAPS = { bigid: 8, sigma: 8 } as const;
/** What one worker takes on per app (a machine's share); the app caps above bind only at 4 workers. */
const STEPS_PER_WORKER = 2;
const TOKEN = randomBytes(24).toString('hex');
const CLI = new URL('../src/composition/main.js', import.meta.url).pathname;

export interface BenchResult {
  name: string;
  seatctlMs: number;
  naiveMs: number;
  note?: string;
}

interface Started {
  child: ChildProcess;
  firstLine: Promise<string>;
}

/** A built `seatctl` process; resolves its first stdout line (serve: where it listens; worker: ready). */
function start(args: string[], env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  createInterface({ input: child.stderr! }).on('line', (l) => (stderr = (stderr + l + '\n').slice(-4000)));
  const firstLine = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('close', (code) => reject(new Error(`seatctl ${args[0]} exited ${code}:\n${stderr}`)));
  });
  return { child, firstLine };
}

async function api(url: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(url + p, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

interface RunResult {
  workers: number;
  ms: number;
  maxInFlight: Record<'bigid' | 'sigma', number>;
}

async function runWith(workers: number): Promise<RunResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-bench-scale-'));
  const tag = randomBytes(5).toString('hex');
  const prefix = `seatctl-bench-${tag}`;
  const schema = `seatctl_bench_${tag}`;
  const env = { BENCH_SCALE_REDIS: REDIS_URL, BENCH_SCALE_PG: PG_URL, BENCH_SCALE_TOKEN: TOKEN, SEATCTL_LOG_LEVEL: 'error' };
  let fx: LaunchedFixtures | undefined;
  const children: ChildProcess[] = [];
  try {
    fx = await launchFixtures({
      dir,
      apps: ['bigid', 'sigma'],
      faults: { latencyMs: 80, jitterMs: 40 },
      simulators: { bigid: { seed: SEED, users: JOBS + 20 }, sigma: { seed: SEED, users: JOBS + 20 } },
      appConfig: { bigid: { concurrency: CAPS.bigid }, sigma: { concurrency: CAPS.sigma } },
      config: {
        queue: { kind: 'bullmq', redis: 'env:BENCH_SCALE_REDIS', prefix, stepConcurrency: STEPS_PER_WORKER },
        store: { kind: 'postgres', url: 'env:BENCH_SCALE_PG', schema },
      },
    });
    const serve = start(['serve', '--port', '0', '--no-work', '--token-ref', 'env:BENCH_SCALE_TOKEN', '--config', fx.configPath], env);
    children.push(serve.child);
    const url = (JSON.parse(await serve.firstLine) as { listening: string }).listening;
    for (let i = 1; i <= workers; i++) {
      const w = start(['worker', '--id', `w${i}`, '--config', fx.configPath], env);
      children.push(w.child);
      await w.firstLine;
    }
    const people = generatePeople(JOBS, SEED).map((p) => p.email);
    const started = Date.now();
    const ids: string[] = [];
    for (const email of people) ids.push((await api(url, 'POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] })).job.id);
    const pending = new Set(ids);
    while (pending.size) {
      for (const id of [...pending]) {
        const { job } = await api(url, 'GET', `/v1/jobs/${id}`);
        if (job.status === 'failed' || job.status === 'cancelled') throw new Error(`job ${id} ended ${job.status}`);
        if (job.status === 'succeeded') pending.delete(id);
      }
      if (pending.size) await new Promise((r) => setTimeout(r, 250));
    }
    const ms = Date.now() - started;
    return { workers, ms, maxInFlight: { bigid: fx.bigid!.maxInFlight(), sigma: fx.sigma!.maxInFlight() } };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await fx?.close();
    await deleteKeys(prefix);
    await dropSchema(schema);
    await rm(dir, { recursive: true, force: true });
  }
}

export async function benchScaleOut200(): Promise<BenchResult> {
  const results: RunResult[] = [];
  for (const n of WORKER_COUNTS) {
    const r = await runWith(n);
    results.push(r);
    const one = results[0]!;
    console.log(
      `${String(n).padStart(2)} worker(s): ${JOBS} offboardings in ${seconds(r.ms)} (${((JOBS / r.ms) * 60_000).toFixed(0)} jobs/min, ${(one.ms / r.ms).toFixed(2)}x one worker); ` +
        `most requests at once: bigid ${r.maxInFlight.bigid}/${CAPS.bigid}, sigma ${r.maxInFlight.sigma}/${CAPS.sigma}`,
    );
    for (const app of ['bigid', 'sigma'] as const) if (r.maxInFlight[app] > CAPS[app]) throw new Error(`${app} saw ${r.maxInFlight[app]} requests at once, over its cap ${CAPS[app]}`);
  }
  const first = results[0]!;
  const last = results[results.length - 1]!;
  return { name: `scale-out: ${JOBS} offboardings, ${last.workers} vs ${first.workers} worker(s)`, seatctlMs: last.ms, naiveMs: first.ms, note: 'baseline = one worker' };
}
