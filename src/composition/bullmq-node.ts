import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BullmqQueueConfig } from '../config/queue-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import { usesConsole } from '../config/load-config.js';
import { createSecretResolver } from '../config/secret-ref.js';
import { SeatctlError } from '../errors/index.js';
import type { Runtime } from '../engine/runtime.js';
import { createTaskSteps } from '../engine/task-steps.js';
import type { StepDispatcher } from '../engine/step-dispatcher.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { JobStore } from '../store/job-store.js';
import type { Scheduler } from '../queue/scheduler.js';
import { bullmqSettings, openBullmqQueues, type BullmqQueues } from '../queue/bullmq/bullmq-queues.js';
import { bullmqDispatcher } from '../queue/bullmq/bullmq-dispatcher.js';
import { lateBoundThrottle, throttledScheduler } from '../queue/bullmq/shared-throttle.js';
import { runStep } from '../queue/bullmq/run-step.js';
import { runJob } from '../queue/bullmq/run-job.js';
import { startSweep } from '../queue/bullmq/sweep.js';
import { startWorkers, type WorkerSet } from '../queue/bullmq/workers.js';

/**
 * What a `worker` or `serve` process needs in BullMQ mode, put together once: the
 * queues on Redis, the dispatcher the engine hands task steps to, and (when the process
 * works) the workers and the sweep. The Redis URL is a secret: resolved here, given to
 * BullMQ, never logged.
 */
export function requireBullmq(config: LoadedConfig, command: string): BullmqQueueConfig {
  if (config.queue.kind !== 'bullmq') {
    throw new SeatctlError('USAGE', `${command} needs shared queues: set "queue": {"kind": "bullmq", "redis": "env:SEATCTL_REDIS_URL"} in ${config.source} (queue.kind is "${config.queue.kind}")`, { details: { field: 'queue.kind' } });
  }
  return config.queue;
}

/** A per-app scheduler wrapper whose shared 429 pause is connected later (the runtime exists before Redis). */
export function sharedThrottleHook() {
  const throttle = lateBoundThrottle();
  return { throttle, wrap: (scheduler: Scheduler) => throttledScheduler(scheduler, throttle), beforeRequest: (app: string) => throttle.wait(app) };
}

/** Lease owner and BullMQ worker name: which process holds what. */
export const processOwner = (id?: string): string => id ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/** The sandboxed step processor for console apps, when built (tsx runs have no .js file to fork). */
function sandboxFile(): string | undefined {
  const file = fileURLToPath(new URL('./step-sandbox.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

export interface BullmqNode {
  queues: BullmqQueues;
  dispatcher: StepDispatcher;
  owner: string;
  /** Queues the job's next run (its current stage, at its runAt). */
  launch(jobId: string): Promise<void>;
  /** Starts taking steps and job runs, and the sweep. `process` is the engine's. */
  work(process: (jobId: string) => Promise<unknown>): void;
  /** Drains: stops taking work, lets current runs and steps finish; then closes the queues. */
  stop(): Promise<void>;
}

export async function openBullmqNode(deps: {
  config: LoadedConfig;
  runtime: Runtime;
  store: JobStore;
  log: Logger;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  throttle: ReturnType<typeof sharedThrottleHook>['throttle'];
  id?: string | undefined;
}): Promise<BullmqNode> {
  const { config, runtime, store, log } = deps;
  const queueConfig = requireBullmq(config, 'the bullmq queue');
  const resolver = createSecretResolver({ redactor: deps.redactor, baseDir: config.baseDir, env: deps.env, warn: (message) => log.warn(message) });
  const redisUrl = resolver.resolve(queueConfig.redis, 'queue.redis');
  const settings = bullmqSettings(queueConfig, redisUrl);
  const apps = Object.fromEntries(Object.values(config.apps).map((a) => [a.name, { concurrency: a.concurrency, rateLimit: a.rateLimit }]));
  const queues = await openBullmqQueues(settings, apps, log);
  deps.throttle.bind(queues.throttle);
  const owner = processOwner(deps.id);
  const leaseMs = settings.lockDurationMs;
  let workers: WorkerSet | undefined;
  let sweep: { stop(): Promise<void> } | undefined;
  // Sandboxed children open the same config file and find the step processor's settings here.
  process.env.SEATCTL_STEP_CONFIG = config.source;
  return {
    queues,
    dispatcher: bullmqDispatcher(queues, store),
    owner,
    async launch(jobId) {
      const stored = await store.get(jobId);
      if (!stored) return;
      await queues.enqueueRun(jobId, stored.statusHistory.length, stored.meta.runAt);
    },
    work(processJob) {
      const steps = createTaskSteps({ runtime, store });
      const sandbox = sandboxFile();
      workers = startWorkers({
        settings,
        name: owner,
        log,
        apps: Object.values(config.apps).map((a) => ({ name: a.name, concurrency: a.concurrency, rateLimit: a.rateLimit, sandbox: usesConsole(a) ? sandbox : undefined })),
        runStep: (data) => runStep({ store, steps, owner, leaseMs, log }, data),
        runJob: (jobId) => runJob({ store, owner, leaseMs, log, process: processJob }, jobId),
      });
      sweep = startSweep(store, queues, owner, log);
    },
    async stop() {
      await sweep?.stop();
      await workers?.close();
      await queues.close();
    },
  };
}
