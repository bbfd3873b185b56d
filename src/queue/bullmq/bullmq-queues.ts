import { Queue, QueueEvents, type ConnectionOptions, type JobsOptions } from 'bullmq';
import type { BullmqQueueConfig } from '../../config/queue-schema.js';
import type { Logger } from '../../log/logger.js';
import { createSharedThrottle, type SharedThrottle } from './shared-throttle.js';
import { JOBS_QUEUE, runJobId, stepQueueName, type RunData, type StepData } from './names.js';
import type { AppLimits } from '../scheduler.js';

/**
 * The producer side every process opens in BullMQ mode: one step queue per app with
 * its global concurrency set from the config, the job-run queue, the QueueEvents a
 * dispatcher waits on, and the shared throttle. Workers (workers.ts) are separate, so a
 * `serve --no-work` process only produces.
 */
export interface BullmqQueues {
  settings: BullmqSettings;
  stepQueue(app: string): Queue<StepData, unknown>;
  stepEvents(app: string): Promise<QueueEvents>;
  jobs: Queue<RunData>;
  throttle: SharedThrottle;
  /**
   * Sets every app queue's global concurrency (again): idempotent, and the sweep calls it
   * so a Redis that lost its data gets its caps back with the work.
   */
  applyLimits(): Promise<void>;
  /** Queues a run of the job (at runAt when given): the next stage of its lifecycle. */
  enqueueRun(jobId: string, stage: number, runAt?: string | null): Promise<void>;
  close(): Promise<void>;
}

export interface BullmqSettings {
  connection: ConnectionOptions;
  prefix: string;
  lockDurationMs: number;
  stalledIntervalMs: number;
  sweepIntervalMs: number;
  jobConcurrency: number;
  /** Steps of one app a process runs at once, below the app's global cap; undefined: the cap. */
  stepConcurrency: number | undefined;
}

/** The Redis URL (a resolved secret) as BullMQ connection options; never logged. */
export function bullmqSettings(config: BullmqQueueConfig, redisUrl: string): BullmqSettings {
  return {
    // Workers block on Redis: BullMQ requires unlimited retries per request, so a
    // Redis restart pauses the worker instead of failing its commands.
    connection: { url: redisUrl, maxRetriesPerRequest: null, enableOfflineQueue: true },
    prefix: config.prefix,
    lockDurationMs: config.lockDurationMs,
    stalledIntervalMs: config.stalledIntervalMs,
    sweepIntervalMs: config.sweepIntervalMs,
    jobConcurrency: config.jobConcurrency,
    stepConcurrency: config.stepConcurrency,
  };
}

/**
 * Job runs: retried (a held lease, a store hiccup) at a tenth of the lock duration, so a
 * dead owner's lease (one lock duration at most) is outlived within the attempts; removed
 * when done, so a later enqueue of the same stage is never swallowed by a stale entry
 * (and one that gave up is re-queued by the sweep).
 */
export function runJobOptions(lockDurationMs: number): JobsOptions {
  return { attempts: 50, backoff: { type: 'fixed', delay: Math.max(500, Math.floor(lockDurationMs / 10)) }, removeOnComplete: true, removeOnFail: true };
}

export async function openBullmqQueues(settings: BullmqSettings, apps: Record<string, AppLimits>, log: Logger): Promise<BullmqQueues> {
  const base = { connection: settings.connection, prefix: settings.prefix };
  const steps = new Map<string, Queue<StepData, unknown>>();
  const events = new Map<string, Promise<QueueEvents>>();
  for (const app of Object.keys(apps)) steps.set(app, new Queue<StepData, unknown>(stepQueueName(app), base));
  // Idempotent: every process sets the same value from the same config.
  const applyLimits = async () => {
    for (const [app, limits] of Object.entries(apps)) await steps.get(app)!.setGlobalConcurrency(limits.concurrency);
  };
  await applyLimits();
  const jobs = new Queue<RunData>(JOBS_QUEUE, base);
  await jobs.waitUntilReady();
  const stepQueue = (app: string) => {
    const q = steps.get(app);
    if (!q) throw new Error(`no step queue for app ${app}`);
    return q;
  };
  const throttle = createSharedThrottle({
    client: () => jobs.client,
    prefix: settings.prefix,
    limitQueue: (app, ms) => stepQueue(app).rateLimit(ms),
    log,
  });
  return {
    settings,
    stepQueue,
    stepEvents(app) {
      let e = events.get(app);
      if (!e) {
        const qe = new QueueEvents(stepQueueName(app), base);
        e = qe.waitUntilReady().then(() => qe);
        events.set(app, e);
      }
      return e;
    },
    jobs,
    throttle,
    applyLimits,
    async enqueueRun(jobId, stage, runAt) {
      const delay = runAt ? Math.max(0, Date.parse(runAt) - Date.now()) : 0;
      await jobs.add('run', { jobId }, { ...runJobOptions(settings.lockDurationMs), jobId: runJobId(jobId, stage), ...(delay > 0 ? { delay } : {}) });
    },
    async close() {
      await Promise.allSettled([...events.values()].map(async (e) => (await e).close()));
      await Promise.allSettled([...steps.values(), jobs].map((q) => q.close()));
    },
  };
}
