import { createHmac } from 'node:crypto';
import { SeatctlError } from '../errors/index.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): HMAC-SHA256 with the
 * secret's key bytes over `${id}.${timestamp}.${body}`, sent as `v1,<base64>`. The
 * timestamp (Unix seconds) is inside the signature, so a receiver that checks it
 * refuses a captured request replayed later; the id lets it drop a duplicate.
 */
export const SECRET_PREFIX = 'whsec_';
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;

/** The key bytes of a `whsec_<base64>` secret; the message names the field, never the value. */
export function webhookKey(secret: string, field: string): Buffer {
  const problem = (why: string) => new SeatctlError('CONFIG_INVALID', `${field}: ${why}`, { details: { field } });
  if (!secret.startsWith(SECRET_PREFIX)) throw problem(`the signing secret must look like ${SECRET_PREFIX}<base64> (Standard Webhooks)`);
  const encoded = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) throw problem(`the part after ${SECRET_PREFIX} must be base64`);
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) throw problem(`the signing key must be ${MIN_KEY_BYTES}-${MAX_KEY_BYTES} bytes (it is ${key.length})`);
  return key;
}

export function signatureHeader(key: Buffer, id: string, timestampSeconds: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;
}

/** The three Standard Webhooks headers for one send (the timestamp is the send's, not the event's). */
export function standardWebhookHeaders(key: Buffer, id: string, sentAt: Date, body: string): Record<string, string> {
  const timestamp = Math.floor(sentAt.getTime() / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader(key, id, timestamp, body) };
}
