import type { RedisClient } from 'bullmq';
import type { Logger } from '../../log/logger.js';
import { abortableSleep, type Operation, type Scheduler } from '../scheduler.js';

/**
 * "Come back in N s" from an app holds for every worker, not only the one that got
 * the 429: the pause is a Redis key every process reads before each call to that app,
 * and the app's step queue is rate-limited for the same time (BullMQ's manual rate
 * limit), so no worker takes a new step of that app meanwhile. Calls already on the
 * wire finish; the next one waits.
 */
export interface SharedThrottle {
  pause(app: string, ms: number): Promise<void>;
  /** Resolves when the app is not paused (at once when it is not). */
  wait(app: string, signal?: AbortSignal): Promise<void>;
}

export interface SharedThrottleDeps {
  client: () => Promise<RedisClient>;
  prefix: string;
  /** Also stop the app's step queue for `ms` (queue.rateLimit). */
  limitQueue: (app: string, ms: number) => Promise<void>;
  log: Logger;
  now?: () => number;
}

export function createSharedThrottle(deps: SharedThrottleDeps): SharedThrottle {
  const now = deps.now ?? Date.now;
  const key = (app: string) => `${deps.prefix}:pause:${app}`;
  return {
    async pause(app, ms) {
      if (ms <= 0) return;
      const client = await deps.client();
      const until = now() + ms;
      // Only ever moves the pause later: a short Retry-After must not cut a longer one.
      const current = Number((await client.get(key(app))) ?? 0);
      if (current < until) await client.set(key(app), String(until), { PX: ms });
      await deps.limitQueue(app, ms);
      deps.log.warn({ app, pauseMs: ms }, 'app throttled: paused for every worker');
    },
    async wait(app, signal) {
      const client = await deps.client();
      for (;;) {
        const wait = Number((await client.get(key(app))) ?? 0) - now();
        if (wait <= 0) return;
        await abortableSleep(wait, signal);
      }
    },
  };
}

/**
 * The per-process scheduler (its p-queues still cap this process), with every attempt
 * waiting for the app's shared pause and every 429 setting it.
 */
export function throttledScheduler(inner: Scheduler, throttle: SharedThrottle): Scheduler {
  return {
    ...inner,
    run<T>(op: Operation<T>) {
      const verify = op.verify;
      return inner.run<T>({
        ...op,
        run: async (attempt) => {
          await throttle.wait(op.app, op.signal);
          return op.run(attempt);
        },
        ...(verify
          ? {
              verify: async () => {
                await throttle.wait(op.app, op.signal);
                return verify();
              },
            }
          : {}),
        onRetry: (info) => {
          if (info.error.code === 'RATE_LIMITED') void throttle.pause(op.app, info.error.retryAfterMs ?? info.delayMs).catch(() => undefined);
          op.onRetry?.(info);
        },
      });
    },
  };
}

/**
 * The runtime (and its scheduler) is built before Redis is connected; this stands in
 * until the real throttle is bound, and passes nothing through before that.
 */
export function lateBoundThrottle(): SharedThrottle & { bind(throttle: SharedThrottle): void } {
  let bound: SharedThrottle | undefined;
  return {
    bind(throttle) {
      bound = throttle;
    },
    pause: (app, ms) => bound?.pause(app, ms) ?? Promise.resolve(),
    wait: (app, signal) => bound?.wait(app, signal) ?? Promise.resolve(),
  };
}
