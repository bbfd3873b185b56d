import type { FastifyInstance } from 'fastify';
import type { ApprovalsConfig } from '../config/approval-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import { createJobEngine, type JobEngine } from '../engine/job-engine.js';
import type { Runtime } from '../engine/runtime.js';
import type { Logger } from '../log/logger.js';
import type { JobStore } from '../store/index.js';
import { buildApp } from './build-app.js';
import { createMetrics } from './metrics.js';

/**
 * The job service: HTTP app + engine + store. On start it resumes what a previous
 * process left unfinished and starts scheduled jobs when their time comes; on stop it
 * refuses new jobs, lets running ones finish (their state is checkpointed in the
 * store at every step anyway), then closes browsers and the store.
 */
export interface ServiceDeps {
  config: LoadedConfig;
  runtime: Runtime;
  store: JobStore;
  approvals: ApprovalsConfig;
  log: Logger;
  token: string | null;
  /** How often to look for scheduled jobs that are due. */
  schedulerTickMs?: number;
}

export interface Service {
  app: FastifyInstance;
  engine: JobEngine;
  start(): Promise<void>;
  /** Graceful: stop taking jobs, wait for running ones (up to timeoutMs), close everything. */
  stop(timeoutMs?: number): Promise<void>;
  /** Resolves when every job launched so far has settled (tests, shutdown). */
  idle(): Promise<void>;
}

export function createService(deps: ServiceDeps): Service {
  const metrics = createMetrics();
  const engine = createJobEngine({
    runtime: deps.runtime,
    store: deps.store,
    approvals: deps.approvals,
    onTask: (task) => {
      if (task.finishedAt) metrics.observeTask(task, deps.config.apps[task.app]?.definition.name ?? 'unknown');
    },
    onSpawn: (jobId) => launch(jobId),
  });
  const running = new Set<Promise<unknown>>();
  let accepting = true;
  let timer: NodeJS.Timeout | null = null;

  const launch = (jobId: string): void => {
    const p = engine.process(jobId).catch((err) => deps.log.error({ job: jobId, err: (err as Error).message }, 'job processing failed'));
    running.add(p);
    void p.finally(() => running.delete(p));
  };

  const app = buildApp({ engine, store: deps.store, runtime: deps.runtime, config: deps.config, metrics, log: deps.log, token: deps.token, launch, accepting: () => accepting });

  const tick = async () => {
    if (!accepting) return;
    for (const s of await deps.store.due(new Date())) launch(s.job.id);
  };

  return {
    app,
    engine,
    async start() {
      const resumed = await deps.store.unfinished();
      for (const s of resumed) launch(s.job.id);
      if (resumed.length) deps.log.warn({ jobs: resumed.map((s) => s.job.id) }, 'resuming jobs left unfinished by the previous process');
      timer = setInterval(() => void tick().catch((err) => deps.log.error({ err: (err as Error).message }, 'scheduler tick failed')), deps.schedulerTickMs ?? 1000);
      timer.unref();
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running]);
    },
    async stop(timeoutMs = 30_000) {
      accepting = false;
      if (timer) clearInterval(timer);
      await app.close();
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      await deps.runtime.close();
      await deps.store.close();
    },
  };
}
