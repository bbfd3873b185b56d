import type { LoadedConfig } from '../config/load-config.js';
import { createSecretResolver } from '../config/secret-ref.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { JobStore } from '../store/job-store.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker.js';
import { withWebhookOutbox } from './webhook-outbox.js';
import { resolveWebhookTargets } from './webhook-targets.js';

export { createDeliveryWorker, type DeliveryWorker } from './delivery-worker.js';
export { withWebhookOutbox } from './webhook-outbox.js';
export { resolveWebhookTargets, type WebhookTarget } from './webhook-targets.js';

/**
 * Webhook notifications for a service: the store the engine should write through
 * (it queues a message when a job's status changes to a configured event) and the
 * worker that sends them. With no webhooks configured the store is returned as is.
 */
export function createNotifications(deps: { config: LoadedConfig; store: JobStore; log: Logger; redactor: Redactor; env?: NodeJS.ProcessEnv; pollMs?: number }): { store: JobStore; worker: DeliveryWorker } {
  const resolver = createSecretResolver({ redactor: deps.redactor, baseDir: deps.config.baseDir, warn: (message) => deps.log.warn(message), ...(deps.env ? { env: deps.env } : {}) });
  const targets = resolveWebhookTargets(deps.config.notifications, resolver);
  const worker = createDeliveryWorker({ store: deps.store, targets, policy: deps.config.notifications, log: deps.log, redactor: deps.redactor, ...(deps.pollMs ? { pollMs: deps.pollMs } : {}) });
  const store = targets.size ? withWebhookOutbox(deps.store, { targets, log: deps.log, onEnqueued: () => worker.kick() }) : deps.store;
  return { store, worker };
}
