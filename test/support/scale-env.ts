import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { expect } from '@playwright/test';
import { launchFixtures, type LaunchOptions, type LaunchedFixtures } from '../../fixtures/launch.js';
import { CLI_BIN } from './cli-run.js';
import { kill9, serveProcess, serviceCall, type ServeProcess } from './serve-process.js';
import { registerSecret, saveCliOutput, scanRoot } from './scan-root.js';
import { TEST_PG_URL, dropTestSchema, testSchemaName } from './postgres-test-db.js';

/**
 * The scale-out mode for real: API simulators, a config with `queue.kind: bullmq` on
 * the local Redis under a per-run key prefix, N `seatctl worker` processes and one
 * `seatctl serve --no-work` that takes requests and only queues them. Everything shares
 * the SQLite store on this machine. close() kills what it started and deletes only this
 * run's Redis keys.
 */
export const REDIS_URL = process.env.SEATCTL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TOKEN = 'scale-test-token-0123456789abcdef';

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  stderr(): string;
  exited: Promise<number | null>;
}

export interface ScaleEnv {
  fx: LaunchedFixtures;
  prefix: string;
  serve: ServeProcess;
  workers: WorkerProcess[];
  startWorker(id: string): Promise<WorkerProcess>;
  api(method: string, p: string, body?: unknown): Promise<any>;
  /** People with an active account in both BigID and Sigma. */
  people(): string[];
  waitTerminal(jobId: string, timeoutMs?: number): Promise<any>;
  /** A BullMQ queue of this run (read-only use: states, processedBy). */
  queue(name: string): Queue;
  close(): Promise<void>;
}

export interface ScaleEnvOptions {
  workers: number;
  launch?: Partial<LaunchOptions>;
  queue?: Record<string, unknown>;
  store?: 'sqlite' | 'postgres';
  /** A Redis of the test's own (test/support/private-servers.ts) instead of the machine's. */
  redisUrl?: string;
  /** A PostgreSQL of the test's own; the schema is then left to die with its cluster. */
  pgUrl?: string;
}

export async function startScaleEnv(options: ScaleEnvOptions): Promise<ScaleEnv> {
  const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-scale-'));
  const prefix = `seatctl-test-${randomBytes(5).toString('hex')}`;
  const redisUrl = options.redisUrl ?? REDIS_URL;
  // Read by the children through `env:` references in the config (set per test: each test sets its own).
  process.env.SEATCTL_TEST_REDIS_URL = redisUrl;
  registerSecret(TOKEN, 'service bearer token');
  // PostgreSQL: a schema of this run's own, dropped by close().
  const pgSchema = options.store === 'postgres' ? testSchemaName() : undefined;
  if (pgSchema) process.env.SEATCTL_TEST_PG_URL = options.pgUrl ?? TEST_PG_URL;
  const fx = await launchFixtures({
    dir,
    apps: ['bigid', 'sigma'],
    users: 40,
    // The same seed in both: the same generated people have an account in each.
    simulators: { bigid: { seed: 41 }, sigma: { seed: 41 } },
    ...options.launch,
    config: {
      retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, throttleDelayMs: 50, maxThrottleWaits: 20 },
      queue: { kind: 'bullmq', redis: 'env:SEATCTL_TEST_REDIS_URL', prefix, lockDurationMs: 4000, stalledIntervalMs: 2000, sweepIntervalMs: 2000, ...options.queue },
      ...(pgSchema ? { store: { kind: 'postgres', url: 'env:SEATCTL_TEST_PG_URL', schema: pgSchema } } : {}),
      ...options.launch?.config,
    },
  });
  const workers: WorkerProcess[] = [];
  const startWorker = async (id: string): Promise<WorkerProcess> => {
    const child = spawn(process.execPath, [CLI_BIN, 'worker', '--id', id, '--config', fx.configPath], { env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    createInterface({ input: child.stderr! }).on('line', (l) => (stderr += l + '\n'));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    void exited.then(() => saveCliOutput('cli-process', ['worker', id], stdout, stderr));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        stdout += l + '\n';
        resolve();
      });
      void exited.then((code) => reject(new Error(`worker ${id} exited ${code} before starting:\n${stderr}`)));
    });
    const w = { id, child, stderr: () => stderr, exited };
    workers.push(w);
    return w;
  };
  const serve = await serveProcess(fx.configPath, TOKEN, ['--no-work']);
  for (let i = 1; i <= options.workers; i++) await startWorker(`w${i}`);
  const api = (method: string, p: string, body?: unknown) => serviceCall(serve.url, TOKEN, method, p, body);
  const queues = new Map<string, Queue>();
  return {
    queue(name) {
      let q = queues.get(name);
      if (!q) queues.set(name, (q = new Queue(name, { connection: { url: redisUrl }, prefix })));
      return q;
    },
    fx,
    prefix,
    serve,
    workers,
    startWorker,
    api,
    people() {
      const inSigma = new Set(fx.sigma!.store.allMembers().filter((m) => !m.isArchived).map((m) => m.email.toLowerCase()));
      return fx.bigid!.store.all().filter((u) => u.isEnabled && u.origin !== 'saml' && inSigma.has(u.email.toLowerCase()) && /\.\d{5}@/.test(u.email)).map((u) => u.email.toLowerCase());
    },
    async waitTerminal(jobId, timeoutMs = 60_000) {
      await expect.poll(async () => (await api('GET', `/v1/jobs/${jobId}`)).job.status, { timeout: timeoutMs, intervals: [250] }).toMatch(/^(succeeded|failed|cancelled)$/);
      return (await api('GET', `/v1/jobs/${jobId}`)).job;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await Promise.all([...workers.map((w) => kill9(w.child)), kill9(serve.child)]);
      await fx.close();
      if (!options.redisUrl) await deleteKeys(prefix);
      if (pgSchema && !options.pgUrl) await dropTestSchema(pgSchema);
    },
  };
}

/** Only this run's keys, by prefix (never FLUSHALL: the Redis is shared). */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true });
  await redis.connect();
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

/**
 * Ground truth for "never a double change": once the simulators are idle, each person's
 * BigID and Sigma account appears exactly once in that simulator's mutation log.
 */
export async function expectOneChangePerAccount(fx: LaunchedFixtures, people: string[], options: { waitIdle?: boolean } = {}): Promise<void> {
  const bigid = fx.bigid!;
  const sigma = fx.sigma!;
  if (options.waitIdle !== false) {
    await bigid.idle();
    await sigma.idle();
  }
  const bigidIds = new Map(bigid.store.all().map((u) => [u.email.toLowerCase(), u.id]));
  const sigmaIds = new Map(sigma.store.allMembers().map((m) => [m.email.toLowerCase(), m.memberId]));
  for (const email of people) {
    expect(bigid.store.mutations.forUser(bigidIds.get(email)!), `bigid ${email}`).toHaveLength(1);
    expect(sigma.store.mutations.forUser(sigmaIds.get(email)!), `sigma ${email}`).toHaveLength(1);
  }
}
