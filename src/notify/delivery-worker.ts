import type { Dispatcher } from 'undici';
import type { NotificationsConfig } from '../config/notification-schema.js';
import { toSeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import { backoffDelay } from '../queue/retry-decision.js';
import type { Delivery, DeliverySettlement, JobStore } from '../store/job-store.js';
import { postWebhook } from './post-webhook.js';
import { standardWebhookHeaders } from './webhook-signature.js';
import type { WebhookTarget } from './webhook-targets.js';

/**
 * Sends what the outbox holds. Each pass claims the due deliveries (a claim is a
 * lease: a process that dies mid-send leaves the delivery to be taken again once the
 * lease ends), POSTs them, and records the result: delivered; due again after an
 * exponential backoff with jitter (network errors, timeouts, 408, 5xx, 429 — a
 * Retry-After is honoured up to maxDelayMs); or given up after maxAttempts, or at
 * once for any other answer (4xx, 3xx). The message keeps its id on every retry, and
 * is signed afresh with the send time, as Standard Webhooks asks.
 */
export interface DeliveryWorkerDeps {
  store: JobStore;
  targets: ReadonlyMap<string, WebhookTarget>;
  policy: Pick<NotificationsConfig, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs' | 'timeoutMs'>;
  log: Logger;
  redactor: Redactor;
  /** How often to look for deliveries that came due (retries); new ones are sent at once via kick(). */
  pollMs?: number;
  now?: () => Date;
  random?: () => number;
  dispatcher?: Dispatcher;
}

export interface DeliveryWorker {
  start(): void;
  /** Sends what is due now (after new messages were queued). */
  kick(): void;
  /** Stops polling and waits for the sends in progress. */
  stop(): Promise<void>;
}

const BATCH = 20;

export function createDeliveryWorker(deps: DeliveryWorkerDeps): DeliveryWorker {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const { policy, log } = deps;
  // Longer than any one send can take, so a lease never runs out under a live send.
  const leaseMs = policy.timeoutMs + 5_000;
  const retryPolicy = { attempts: policy.maxAttempts, baseDelayMs: policy.baseDelayMs, maxDelayMs: policy.maxDelayMs, maxThrottleWaits: 0, throttleDelayMs: 0 };
  let timer: NodeJS.Timeout | null = null;
  let pass: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  const settle = (d: Delivery, result: DeliverySettlement) => deps.store.settleDelivery(d.id, result);

  async function send(d: Delivery): Promise<void> {
    const fields = { webhook: d.webhook, delivery: d.id, job: d.jobId, event: d.event, attempt: d.attempts };
    const target = deps.targets.get(d.webhook);
    if (!target) {
      log.warn(fields, 'webhook delivery given up: the webhook is no longer configured');
      return settle(d, { status: 'failed', error: 'webhook no longer configured' });
    }
    const headers = target.key ? standardWebhookHeaders(target.key, d.id, now(), d.body) : {};
    try {
      const { status } = await postWebhook(target, headers, d.body, policy.timeoutMs, deps.dispatcher);
      log.info({ ...fields, status }, 'webhook delivered');
      return settle(d, { status: 'delivered' });
    } catch (err) {
      const e = toSeatctlError(err);
      const error = deps.redactor.scrub(e.message);
      const transient = e.retryClass === 'retryable' || e.retryClass === 'throttled';
      if (!transient || d.attempts >= policy.maxAttempts) {
        log.error({ ...fields, code: e.code, error }, transient ? `webhook delivery given up after ${d.attempts} attempts` : 'webhook delivery refused by the receiver; not retried');
        return settle(d, { status: 'failed', error });
      }
      const delayMs = Math.max(backoffDelay(d.attempts, retryPolicy, random), Math.min(e.retryAfterMs ?? 0, policy.maxDelayMs));
      const nextAttemptAt = new Date(now().getTime() + delayMs).toISOString();
      log.warn({ ...fields, code: e.code, error, retryInMs: delayMs }, 'webhook delivery failed; will retry');
      return settle(d, { status: 'pending', nextAttemptAt, error });
    }
  }

  async function runPass(): Promise<void> {
    do {
      again = false;
      for (;;) {
        if (stopped) return;
        const claimed = await deps.store.claimDeliveries(now(), leaseMs, BATCH);
        if (!claimed.length) break;
        await Promise.all(claimed.map((d) => send(d).catch((err) => log.error({ delivery: d.id, err: (err as Error).message }, 'webhook delivery could not be recorded'))));
      }
    } while (again && !stopped);
  }

  const kick = (): void => {
    if (stopped) return;
    if (pass) {
      // A pass is running: it goes round once more rather than two passes racing.
      again = true;
      return;
    }
    pass = runPass()
      .catch((err) => log.error({ err: (err as Error).message }, 'webhook delivery pass failed'))
      .finally(() => (pass = null));
  };

  return {
    start() {
      if (deps.targets.size === 0) return;
      stopped = false;
      // Picks up what a previous process left, then whatever comes due.
      kick();
      timer = setInterval(kick, deps.pollMs ?? 1000);
      timer.unref();
    },
    kick,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await pass;
    },
  };
}
