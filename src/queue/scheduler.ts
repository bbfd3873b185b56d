import PQueue from 'p-queue';
import type { RetryPolicy } from '../config/schema.js';
import { SeatctlError, toSeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { decideRetry } from './retry-decision.js';

/**
 * One p-queue per app, shared by every job in the process: it caps concurrency and
 * rate, nothing else. Retries, backoff and the read-back rule live here, above the
 * queues, and a waiting retry does not hold a queue slot.
 */
export interface AppLimits {
  concurrency: number;
  rateLimit?: { intervalMs: number; intervalCap: number } | undefined;
}

/**
 * Which step of a task an operation serves. In a burst, a task that has planned (and
 * been approved) goes ahead of other jobs' first reads, so jobs finish one by one
 * instead of all together at the end: `apply` before `plan` in each app's queue.
 */
export type StepPriority = 'apply' | 'plan';

/** p-queue runs greater numbers first. */
const QUEUE_PRIORITY: Record<StepPriority, number> = { apply: 10, plan: 0 };

/**
 * How long a plan read may wait behind apply steps before it is treated as one
 * (aging): a steady stream of applies never starves a new job's first read.
 */
export const DEFAULT_AGING_MS = 30_000;

export interface Operation<T> {
  app: string;
  label: string;
  /** Reads are repeated blindly; a mutation is repeated only after `verify` says it did not land. */
  kind: 'read' | 'mutation';
  /** Default: `apply` for mutations, `plan` for reads. A mutation's read-back keeps its priority. */
  priority?: StepPriority;
  run(attempt: number): Promise<T>;
  /**
   * Mutations only: reads the app's state. Returns the result when the change is
   * already there (a response lost after the app applied it), undefined otherwise.
   */
  verify?: () => Promise<T | undefined>;
  policy: RetryPolicy;
  signal?: AbortSignal;
  /** Called when an attempt fails and will be retried (for logs, metrics, the task record). */
  onRetry?: (info: { attempt: number; error: SeatctlError; delayMs: number; reason: string }) => void;
}

export interface OperationResult<T> {
  value: T;
  attempts: number;
  /** True when the value came from the read-back after a lost response. */
  recoveredByReadBack: boolean;
}

export interface SchedulerStats {
  retries: number;
  throttled: number;
  recoveredByReadBack: number;
}

export interface Scheduler {
  run<T>(op: Operation<T>): Promise<OperationResult<T>>;
  /** Waiting + running operations per app. */
  depth(): Record<string, { queued: number; running: number }>;
  stats(app: string): SchedulerStats;
  onIdle(): Promise<void>;
}

export interface SchedulerDeps {
  apps: Record<string, AppLimits>;
  log: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** See DEFAULT_AGING_MS. */
  agingMs?: number;
}

/** Refusals an app gives to a change that is already there (gone, already inactive, exists). */
const MAY_ANSWER_A_REPEAT = new Set<string>(['RULE_REFUSED', 'CONFLICT', 'USER_NOT_FOUND']);

/**
 * How many attempts an operation made before it failed for good: the task record
 * counts them too, so "failed after 4 attempts" does not read as "never tried".
 */
const failedAttempts = new WeakMap<object, number>();
export const attemptsBeforeFailure = (err: unknown): number => (typeof err === 'object' && err !== null ? (failedAttempts.get(err) ?? 0) : 0);

export const abortableSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new SeatctlError('CANCELLED', 'cancelled'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(new SeatctlError('CANCELLED', 'cancelled'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export function createScheduler(deps: SchedulerDeps): Scheduler {
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const agingMs = deps.agingMs ?? DEFAULT_AGING_MS;
  let nextId = 0;
  const queues = new Map<string, PQueue>();
  const stats = new Map<string, SchedulerStats>();
  // When an app says "come back in N s", every operation on that app waits, not just
  // the one that got the 429: hammering on would only extend the throttle.
  const pausedUntil = new Map<string, number>();

  for (const [app, limits] of Object.entries(deps.apps)) {
    queues.set(
      app,
      new PQueue({
        concurrency: limits.concurrency,
        ...(limits.rateLimit ? { intervalCap: limits.rateLimit.intervalCap, interval: limits.rateLimit.intervalMs } : {}),
      }),
    );
    stats.set(app, { retries: 0, throttled: 0, recoveredByReadBack: 0 });
  }

  const queueFor = (app: string): PQueue => {
    const q = queues.get(app);
    if (!q) throw new SeatctlError('INTERNAL', `no queue for app ${app}`);
    return q;
  };

  async function inQueue<T>(app: string, priority: StepPriority, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const wait = (pausedUntil.get(app) ?? 0) - Date.now();
    if (wait > 0) await sleep(wait, signal);
    const queue = queueFor(app);
    const id = `op-${(nextId += 1)}`;
    let aging: NodeJS.Timeout | undefined;
    if (priority === 'plan') {
      aging = setTimeout(() => {
        // Still waiting: it joins the apply steps, behind those already queued.
        try {
          queue.setPriority(id, QUEUE_PRIORITY.apply);
        } catch {
          // Started or aborted in the meantime: nothing to promote.
        }
      }, agingMs);
      aging.unref();
    }
    const started = async (): Promise<T> => {
      clearTimeout(aging);
      return fn();
    };
    try {
      return (await queue.add(started, { id, priority: QUEUE_PRIORITY[priority], ...(signal ? { signal } : {}) })) as T;
    } finally {
      clearTimeout(aging);
    }
  }

  async function run<T>(op: Operation<T>): Promise<OperationResult<T>> {
    const appStats = stats.get(op.app);
    if (!appStats) throw new SeatctlError('INTERNAL', `no queue for app ${op.app}`);
    let attempt = 0;
    let throttleWaits = 0;
    let mayHaveLanded = false;
    for (;;) {
      if (op.signal?.aborted) throw new SeatctlError('CANCELLED', `${op.label}: cancelled`);
      if (mayHaveLanded && op.verify) {
        // Never send a mutation twice: look first.
        const verify = op.verify;
        const found = await runRead(op, () => verify());
        if (found !== undefined) {
          appStats.recoveredByReadBack += 1;
          deps.log.info({ app: op.app, op: op.label }, 'mutation had landed before its response was lost; not repeating it');
          return { value: found, attempts: attempt, recoveredByReadBack: true };
        }
      }
      attempt += 1;
      try {
        const value = await inQueue(op.app, op.priority ?? (op.kind === 'mutation' ? 'apply' : 'plan'), () => op.run(attempt), op.signal);
        return { value, attempts: attempt, recoveredByReadBack: false };
      } catch (err) {
        const error = toSeatctlError(err);
        const decision = decideRetry(error, { attempt, throttleWaits, mutation: op.kind === 'mutation' }, op.policy, random);
        if (decision.action === 'fail') {
          // Never report a change as failed while it is in place: a refusal can be the
          // app answering a repeat of a change it already applied (Chromium re-sends a
          // POST whose connection was reset), and attempts can run out after one landed.
          if (op.kind === 'mutation' && op.verify && (mayHaveLanded || MAY_ANSWER_A_REPEAT.has(error.code))) {
            const verify = op.verify;
            const found = await runRead(op, () => verify()).catch(() => undefined);
            if (found !== undefined) {
              appStats.recoveredByReadBack += 1;
              deps.log.info({ app: op.app, op: op.label, code: error.code }, 'the change failed, but reading back shows it in place');
              return { value: found, attempts: attempt, recoveredByReadBack: true };
            }
          }
          failedAttempts.set(error, attempt);
          throw error;
        }
        if (!decision.spendsAttempt) {
          attempt -= 1;
          throttleWaits += 1;
          appStats.throttled += 1;
          if (error.retryAfterMs !== undefined) pausedUntil.set(op.app, Math.max(pausedUntil.get(op.app) ?? 0, Date.now() + error.retryAfterMs));
        } else {
          appStats.retries += 1;
        }
        // Any failure of a mutation may have come after the app acted (a reset, a
        // timeout, a console session dropped right after the confirm click, or a 429 on
        // the driver's read-back GET after its PUT went through: seen in the soak), so
        // the next try starts by reading the state back.
        if (op.kind === 'mutation') mayHaveLanded = true;
        op.onRetry?.({ attempt, error, delayMs: decision.delayMs, reason: decision.reason });
        deps.log.warn({ app: op.app, op: op.label, attempt, code: error.code, delayMs: decision.delayMs }, `retrying: ${decision.reason}`);
        if (decision.delayMs > 0) await sleep(decision.delayMs, op.signal);
      }
    }
  }

  /** A read-back is itself retried as a read, within the operation's policy. */
  async function runRead<T>(op: Operation<T>, fn: () => Promise<T | undefined>): Promise<T | undefined> {
    const result = await run<T | undefined>({ app: op.app, label: `${op.label} (read-back)`, kind: 'read', priority: op.priority ?? (op.kind === 'mutation' ? 'apply' : 'plan'), run: () => fn(), policy: op.policy, ...(op.signal ? { signal: op.signal } : {}) });
    return result.value;
  }

  return {
    run,
    depth() {
      const out: Record<string, { queued: number; running: number }> = {};
      for (const [app, q] of queues) out[app] = { queued: q.size, running: q.pending };
      return out;
    },
    stats(app) {
      return { ...(stats.get(app) ?? { retries: 0, throttled: 0, recoveredByReadBack: 0 }) };
    },
    async onIdle() {
      await Promise.all([...queues.values()].map((q) => q.onIdle()));
    },
  };
}

/**
 * The in-process scheduler for a config's apps: one queue per app with its
 * `concurrency` and `rateLimit`. The composition (CLI context, service, tests) builds
 * it and hands it to the runtime, so a deployment can hand in another (a shared,
 * multi-worker one) without the runtime knowing.
 */
export function schedulerForApps(apps: Record<string, { name: string; concurrency: number; rateLimit?: SchedulerDeps['apps'][string]['rateLimit'] }>, log: SchedulerDeps['log']): Scheduler {
  return createScheduler({ apps: Object.fromEntries(Object.values(apps).map((a) => [a.name, { concurrency: a.concurrency, rateLimit: a.rateLimit }])), log });
}
