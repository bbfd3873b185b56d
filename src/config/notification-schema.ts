import { z } from 'zod';
import { hasUserinfo } from '../log/url-userinfo.js';
import { secretRefSchema } from './secret-ref.js';

/**
 * Webhooks told when a job needs a person or has ended. Deliveries are kept in the job
 * store and retried, so a receiver that is down (or a restart) loses none; see
 * docs/notifications.md.
 */
export const NOTIFY_EVENTS = ['awaiting_approval', 'succeeded', 'failed', 'cancelled'] as const;
export const notifyEventSchema = z.enum(NOTIFY_EVENTS);
export type NotifyEvent = z.infer<typeof notifyEventSchema>;

/**
 * A plain http(s) URL without credentials in it, or a reference to one (a Slack webhook
 * URL is itself a secret). One string checked by hand rather than a zod union, whose
 * failure reads only "Invalid input".
 */
export const webhookUrlSchema = z.string().superRefine((value, ctx) => {
  if (/^(env|file):/.test(value)) {
    if (!secretRefSchema.safeParse(value).success) ctx.addIssue({ code: 'custom', message: 'must be a secret reference "env:NAME" or "file:/path"' });
    return;
  }
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    url = null;
  }
  if (!url || !/^https?:$/.test(url.protocol)) ctx.addIssue({ code: 'custom', message: 'must be an http(s) URL, or a secret reference env:NAME / file:/path holding one' });
  else if (hasUserinfo(value)) ctx.addIssue({ code: 'custom', message: 'must not hold a user name or password (`user:pass@`)' });
});

export const webhookConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'lower-case letters, digits and dashes (1-32)').describe('names the webhook in logs and in the store; deliveries of a webhook removed from the config are given up'),
    url: webhookUrlSchema.describe('where to POST: an http(s) URL, or a secret reference `env:NAME` / `file:/path` holding it (use a reference for a Slack incoming-webhook URL, which is a credential); redirects are not followed'),
    events: z.array(notifyEventSchema).min(1).max(NOTIFY_EVENTS.length).default([...NOTIFY_EVENTS]).describe('job statuses that trigger a delivery'),
    format: z.enum(['standard', 'slack']).default('standard').describe('`standard`: JSON event signed per Standard Webhooks (needs `secret`); `slack`: a Slack incoming-webhook `{text}` body, unsigned'),
    secret: secretRefSchema.optional().describe('signing secret `whsec_<base64 of 24-64 bytes>` as env:NAME or file:/path; required for `standard`'),
  })
  .strict()
  .superRefine((hook, ctx) => {
    if (hook.format === 'standard' && !hook.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'required for format "standard" (a whsec_ signing secret as env:NAME or file:/path)' });
    if (hook.format === 'slack' && hook.secret) ctx.addIssue({ code: 'custom', path: ['secret'], message: 'Slack incoming webhooks are not signed: remove `secret` (protect the URL instead, as a secret reference)' });
  })
  .describe('one webhook');
export type WebhookConfig = z.infer<typeof webhookConfigSchema>;

export const notificationsSchema = z
  .object({
    webhooks: z
      .array(webhookConfigSchema)
      .max(50)
      .default([])
      .refine((hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length, 'webhook names must be unique')
      .describe('receivers of job events'),
    maxAttempts: z.number().int().min(1).max(100).default(12).describe('tries per delivery, the first included; then it is recorded as failed and logged'),
    baseDelayMs: z.number().int().min(10).max(3_600_000).default(5_000).describe('first retry delay; doubles per retry, with jitter'),
    maxDelayMs: z.number().int().min(10).max(86_400_000).default(3_600_000).describe('cap on one retry delay (and on a Retry-After the receiver asks for)'),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000).describe('per POST, connection to last byte'),
  })
  .strict()
  .describe('webhooks on job events, sent by `seatctl serve`');
export type NotificationsConfig = z.infer<typeof notificationsSchema>;
export const DEFAULT_NOTIFICATIONS: NotificationsConfig = { webhooks: [], maxAttempts: 12, baseDelayMs: 5_000, maxDelayMs: 3_600_000, timeoutMs: 10_000 };
