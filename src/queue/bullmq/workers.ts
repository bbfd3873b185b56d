import { Worker, type Job as BullJob } from 'bullmq';
import type { Logger } from '../../log/logger.js';
import type { AppLimits } from '../scheduler.js';
import type { BullmqSettings } from './bullmq-queues.js';
import { JOBS_QUEUE, stepQueueName, type RunData, type StepData } from './names.js';

/**
 * The consumer side: a step worker per app and one job-run worker.
 *
 * Locks (docs/scale-out.md): a job's lock lasts `lockDurationMs` and is renewed every
 * half of it by this process's event loop. Console steps run in sandboxed child
 * processes (Playwright's CPU work never delays the renewal); API steps and job runs
 * are I/O waits in this process. A worker that stops renewing (killed, frozen) has its
 * jobs moved back to wait by any other worker's stalled check (every
 * `stalledIntervalMs`); `maxStalledCount` is generous because a stall here means a dead
 * worker, not a poison job, and the store lease plus the read-back keep a re-run safe.
 */
export const MAX_STALLED_COUNT = 10;

/**
 * Every app queue needs a limiter for BullMQ's manual rate limit (a 429's pause) to
 * hold: without one the queue ignores it. An app without `rateLimit` gets one that
 * never binds.
 */
const UNBOUNDED_LIMITER = { max: 1_000_000, duration: 1_000 };

export interface StepAppSpec extends AppLimits {
  name: string;
  /** A processor file for a sandboxed child (console apps), or run in this process. */
  sandbox?: string | undefined;
}

export interface WorkerSetDeps {
  settings: BullmqSettings;
  apps: StepAppSpec[];
  runStep: (data: StepData) => Promise<unknown>;
  runJob: (jobId: string) => Promise<void>;
  log: Logger;
  /** Shown in BullMQ as the job's processor (this process). */
  name: string;
}

export interface WorkerSet {
  /**
   * Graceful: stop taking job runs, let the running ones finish (their steps are still
   * taken, here or elsewhere), then stop the step workers after their current steps.
   */
  close(): Promise<void>;
}

export function startWorkers(deps: WorkerSetDeps): WorkerSet {
  const { settings, log } = deps;
  const common = {
    connection: settings.connection,
    prefix: settings.prefix,
    name: deps.name,
    lockDuration: settings.lockDurationMs,
    stalledInterval: settings.stalledIntervalMs,
    maxStalledCount: MAX_STALLED_COUNT,
  };
  const watch = (w: Worker, what: string) => {
    w.on('error', (err) => log.error({ queue: what, err: err.message }, 'queue worker error'));
    w.on('failed', (job: BullJob | undefined, err: Error) => {
      const level = /LEASE_HELD|being run by another process/.test(err.message) ? 'info' : 'warn';
      log[level]({ queue: what, id: job?.id, attempt: job?.attemptsMade, err: err.message }, 'queued job failed; BullMQ retries it');
    });
    return w;
  };
  const stepWorkers = deps.apps.map((app) => {
    const options = {
      ...common,
      concurrency: Math.min(app.concurrency, settings.stepConcurrency ?? app.concurrency),
      limiter: app.rateLimit ? { max: app.rateLimit.intervalCap, duration: app.rateLimit.intervalMs } : UNBOUNDED_LIMITER,
    };
    const worker = app.sandbox
      ? new Worker<StepData>(stepQueueName(app.name), app.sandbox, { ...options, useWorkerThreads: false })
      : new Worker<StepData>(stepQueueName(app.name), (job) => deps.runStep(job.data), options);
    return watch(worker, stepQueueName(app.name));
  });
  const runWorker = watch(
    new Worker<RunData>(JOBS_QUEUE, (job) => deps.runJob(job.data.jobId), { ...common, concurrency: settings.jobConcurrency }),
    JOBS_QUEUE,
  );
  return {
    async close() {
      await runWorker.close();
      await Promise.allSettled(stepWorkers.map((w) => w.close()));
    },
  };
}
