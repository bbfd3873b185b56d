import type { FastifyInstance } from 'fastify';
import type { ApprovalsConfig } from '../config/approval-schema.js';
import type { LoadedConfig } from '../config/load-config.js';
import { driverNames } from '../config/load-config.js';
import { createJobEngine, type JobEngine } from '../engine/job-engine.js';
import type { Runtime } from '../engine/runtime.js';
import type { Logger } from '../log/logger.js';
import type { JobStore } from '../store/index.js';
import type { Authenticator } from '../auth/authenticator.js';
import { buildApp, type AppDeps } from './build-app.js';
import { createJobEvents, publishingStore } from '../engine/job-events.js';
import { createMetrics } from './metrics.js';
import { createNotifications } from '../notify/index.js';
import { approvalWaits } from '../engine/job-timing.js';
import type { Task } from '../model/index.js';
import type { StepDispatcher } from '../engine/step-dispatcher.js';

/**
 * The job service: HTTP app + engine + store. On start it resumes what a previous
 * process left unfinished and starts scheduled jobs when their time comes; on stop it
 * refuses new jobs, lets running ones finish (their state is checkpointed in the
 * store at every step anyway), then closes the store and the browsers.
 */
export interface ServiceDeps {
  config: LoadedConfig;
  runtime: Runtime;
  store: JobStore;
  approvals: ApprovalsConfig;
  log: Logger;
  /** null only on loopback: every caller is the local admin. */
  auth: Authenticator | null;
  /** How often to look for scheduled jobs that are due. */
  schedulerTickMs?: number;
  /** How often the webhook sender looks for retries that came due. */
  webhookPollMs?: number;
  /** Web console options: sessions shared with OIDC sign-in, the SSO link. */
  console?: AppDeps['console'];
  /** Where task steps run (scale-out: the app's shared queue); default: here. */
  dispatcher?: StepDispatcher;
  /**
   * Scale-out: job runs are queued for any worker instead of run here; `start` begins
   * taking work (unless this process only serves) and `stop` drains it.
   */
  runs?: SharedRuns;
}

export interface SharedRuns {
  launch(jobId: string): Promise<void>;
  start(engine: JobEngine): Promise<void>;
  stop(): Promise<void>;
}

export interface Service {
  app: FastifyInstance;
  engine: JobEngine;
  start(): Promise<void>;
  /**
   * Graceful: stop taking jobs, wait for running ones (up to timeoutMs), close
   * everything. Jobs still running at the timeout are cut short: they stay as the
   * store last recorded them and resume at the next start, and nothing they do after
   * this returns is recorded, so the process must exit rather than keep running them.
   */
  stop(timeoutMs?: number): Promise<StopResult>;
  /** Resolves when every job launched so far has settled (tests, shutdown). */
  idle(): Promise<void>;
}

export interface StopResult {
  /** Every running job settled within the timeout. */
  drained: boolean;
  /** Jobs the timeout cut short (checkpointed; they resume at the next start). */
  cutShort: string[];
}

export function createService(deps: ServiceDeps): Service {
  const metrics = createMetrics();
  // Webhook secrets are resolved here, so a missing one stops the service before it listens.
  const notifications = createNotifications({ config: deps.config, store: deps.store, log: deps.log, redactor: deps.runtime.redactor, ...(deps.webhookPollMs ? { pollMs: deps.webhookPollMs } : {}) });
  // The console follows jobs live: every change the engine stores is also published.
  const events = createJobEvents();
  const store = publishingStore(notifications.store, events);
  const engine = createJobEngine({
    runtime: deps.runtime,
    store,
    approvals: deps.approvals,
    onTask: (task) => {
      if (task.finishedAt) void observeTask(task);
    },
    onSpawn: (jobId) => launch(jobId),
    ...(deps.dispatcher ? { dispatcher: deps.dispatcher } : {}),
  });
  /** A task's duration leaves out its job's approval waits, which only the store knows. */
  const observeTask = async (task: Task): Promise<void> => {
    const stored = await deps.store.get(task.jobId).catch(() => null);
    metrics.observeTask(task, (deps.config.apps[task.app] ? driverNames(deps.config.apps[task.app]!) : 'unknown'), stored ? approvalWaits(stored.statusHistory, Date.now()) : []);
  };
  /** Launched jobs that have not settled yet, with their ids. */
  const running = new Map<Promise<unknown>, string>();
  let accepting = true;
  let cutShort = false;
  let timer: NodeJS.Timeout | null = null;

  const launch = (jobId: string): void => {
    const p = (deps.runs ? deps.runs.launch(jobId) : engine.process(jobId)).catch((err) => {
      // After a cut-short stop the store is closed under the job on purpose.
      if (cutShort) deps.log.info({ job: jobId }, 'job cut short by shutdown; it resumes at the next start');
      else deps.log.error({ job: jobId, err: (err as Error).message }, 'job processing failed');
    });
    running.set(p, jobId);
    void p.finally(() => running.delete(p));
  };

  const app = buildApp({ engine, store, runtime: deps.runtime, config: deps.config, metrics, log: deps.log, auth: deps.auth, launch, accepting: () => accepting, events, ...(deps.console ? { console: deps.console } : {}) });

  const tick = async () => {
    if (!accepting) return;
    for (const s of await deps.store.due(new Date())) launch(s.job.id);
  };

  return {
    app,
    engine,
    async start() {
      if (deps.runs) {
        // The shared queues' sweep resumes and starts scheduled jobs, in whichever process is free.
        await deps.runs.start(engine);
        notifications.worker.start();
        return;
      }
      const resumed = await deps.store.unfinished();
      for (const s of resumed) launch(s.job.id);
      if (resumed.length) deps.log.warn({ jobs: resumed.map((s) => s.job.id) }, 'resuming jobs left unfinished by the previous process');
      timer = setInterval(() => void tick().catch((err) => deps.log.error({ err: (err as Error).message }, 'scheduler tick failed')), deps.schedulerTickMs ?? 1000);
      timer.unref();
      notifications.worker.start();
    },
    async idle() {
      while (running.size) await Promise.allSettled([...running.keys()]);
    },
    async stop(timeoutMs = 30_000) {
      accepting = false;
      if (timer) clearInterval(timer);
      // Closes the listener at once (new connections are refused; a request already on
      // an open connection gets 503) and waits for requests in progress.
      await app.close();
      deps.log.warn({ runningJobs: running.size, timeoutSeconds: timeoutMs / 1000 }, 'stopped taking jobs (listener closed); waiting for running jobs');
      let deadline: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((r) => (deadline = setTimeout(() => r('expired'), timeoutMs)));
      // A loop: a job that settles may have launched another (a review's offboarding).
      while (running.size) {
        if ((await Promise.race([Promise.allSettled([...running.keys()]), expired])) === 'expired') break;
      }
      // Then the steps and runs this process took from the shared queues.
      const sharedCut = deps.runs ? (await Promise.race([deps.runs.stop().then(() => 'drained' as const), expired])) === 'expired' : false;
      clearTimeout(deadline);
      const unfinished = [...new Set(running.values()), ...(sharedCut ? ['(steps taken from the shared queues)'] : [])];
      cutShort = unfinished.length > 0;
      // Sends in progress finish (each is bounded by its timeout); the rest wait in the store.
      await notifications.worker.stop();
      // The store first: a task whose browser is closed under it must not be recorded
      // as failed. It stays as last written ("mutating" before a change is sent), and
      // the next start reads the account back before doing anything.
      await deps.store.close();
      await deps.runtime.close();
      return { drained: !cutShort, cutShort: unfinished };
    },
  };
}
