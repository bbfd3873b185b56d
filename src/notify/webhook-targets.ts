import type { NotificationsConfig, NotifyEvent } from '../config/notification-schema.js';
import { webhookUrlSchema } from '../config/notification-schema.js';
import type { SecretResolver } from '../config/secret-ref.js';
import { SeatctlError } from '../errors/index.js';
import { webhookKey } from './webhook-signature.js';

/**
 * The configured webhooks with their secrets resolved, once at service start: a
 * missing or malformed secret stops `serve` there, naming the field, rather than
 * failing every delivery later. The resolver registers each value with the redactor.
 */
export interface WebhookTarget {
  name: string;
  url: string;
  events: readonly NotifyEvent[];
  format: 'standard' | 'slack';
  /** HMAC key bytes (standard format only). */
  key: Buffer | null;
}

export function resolveWebhookTargets(config: NotificationsConfig, resolver: SecretResolver): Map<string, WebhookTarget> {
  const targets = new Map<string, WebhookTarget>();
  config.webhooks.forEach((hook, i) => {
    const field = `notifications.webhooks.${i}`;
    const url = /^(env|file):/.test(hook.url) ? resolver.resolve(hook.url, `${field}.url`) : hook.url;
    // A referenced URL is checked like an inline one (and its value never printed).
    if (/^(env|file):/.test(url) || !webhookUrlSchema.safeParse(url).success) {
      throw new SeatctlError('CONFIG_INVALID', `${field}.url: the referenced value must be an http(s) URL without user:pass@`, { details: { field: `${field}.url` } });
    }
    const key = hook.secret ? webhookKey(resolver.resolve(hook.secret, `${field}.secret`), `${field}.secret`) : null;
    targets.set(hook.name, { name: hook.name, url, events: hook.events, format: hook.format, key });
  });
  return targets;
}
