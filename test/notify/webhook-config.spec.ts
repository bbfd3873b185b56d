import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { parseConfig } from '../../src/config/load-config.js';
import { createSecretResolver } from '../../src/config/secret-ref.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { SeatctlError } from '../../src/errors/index.js';
import { createRedactor } from '../../src/log/redactor.js';
import { resolveWebhookTargets } from '../../src/notify/index.js';
import { registerSecret } from '../support/scan-root.js';

/**
 * Issue 13 item 4, the config edge: a webhook is refused at load (or at service start,
 * for what only its secret reference holds) with a message naming the field and never
 * the value.
 */
const base = (webhooks: unknown[]) => ({
  dataDir: 'data',
  apps: { bigid: { driver: 'bigid-api', baseUrl: 'http://127.0.0.1:9/api/v1', credentials: { username: 'svc', password: 'env:BIGID_PASSWORD' } } },
  notifications: { webhooks },
});
const load = (webhooks: unknown[]) => parseConfig(base(webhooks), builtInDrivers(), { source: 'test.json', baseDir: '/' });
const refusal = (fn: () => unknown): SeatctlError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SeatctlError);
    return err as SeatctlError;
  }
  throw new Error('not refused');
};

test('issue 13 item 4: webhook config is validated, naming the field', () => {
  const cases: [unknown, string, RegExp][] = [
    [{ name: 'ops', url: 'ftp://example.com/hook', secret: 'env:S' }, 'notifications.webhooks.0.url', /http\(s\) URL/],
    [{ name: 'ops', url: 'https://bob:Hunter2Pass@example.com/hook', secret: 'env:S' }, 'notifications.webhooks.0.url', /user name or password/],
    [{ name: 'ops', url: 'https://example.com/hook' }, 'notifications.webhooks.0.secret', /required for format "standard"/],
    [{ name: 'ops', url: 'https://example.com/hook', secret: 'whsec_inline' }, 'notifications.webhooks.0.secret', /secret reference/],
    [{ name: 'chat', url: 'env:SLACK', format: 'slack', secret: 'env:S' }, 'notifications.webhooks.0.secret', /not signed/],
    [{ name: 'ops', url: 'https://example.com/hook', secret: 'env:S', events: ['running'] }, 'notifications.webhooks.0.events.0', /awaiting_approval/],
    [{ name: 'ops', url: 'https://example.com/hook', secret: 'env:S', extra: 1 }, 'notifications.webhooks.0', /extra/],
  ];
  for (const [hook, field, why] of cases) {
    const e = refusal(() => load([hook]));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(field);
    expect(e.message).toMatch(why);
    expect(e.message).not.toContain('Hunter2Pass');
  }
  const twice = refusal(() => load([{ name: 'ops', url: 'https://a.example/h', secret: 'env:S' }, { name: 'ops', url: 'https://b.example/h', secret: 'env:T' }]));
  expect(twice.message).toContain('webhook names must be unique');
  const ok = load([{ name: 'ops', url: 'https://example.com/hook', secret: 'env:S' }]);
  expect(ok.notifications.webhooks[0]).toEqual({ name: 'ops', url: 'https://example.com/hook', secret: 'env:S', format: 'standard', events: ['awaiting_approval', 'succeeded', 'failed', 'cancelled'] });
});

test('issue 13 item 4: a malformed signing secret or a referenced URL that is not http(s) stops the start, without the value', () => {
  const redactor = createRedactor();
  const short = `whsec_${randomBytes(8).toString('base64')}`;
  const noPrefix = randomBytes(32).toString('base64');
  const badUrl = 'ftp://files.example/Hunter2Secret';
  for (const value of [short, noPrefix, badUrl]) registerSecret(value, 'bad webhook config value');
  const env = { SHORT: short, NOPREFIX: noPrefix, BADURL: badUrl, GOOD: `whsec_${randomBytes(32).toString('base64')}` };
  const resolver = createSecretResolver({ redactor, baseDir: '/', env });
  const targets = (webhooks: unknown[]) => resolveWebhookTargets(load(webhooks).notifications, resolver);
  for (const [hook, field, secretValue] of [
    [{ name: 'ops', url: 'https://example.com/h', secret: 'env:SHORT' }, 'notifications.webhooks.0.secret', short],
    [{ name: 'ops', url: 'https://example.com/h', secret: 'env:NOPREFIX' }, 'notifications.webhooks.0.secret', noPrefix],
    [{ name: 'chat', url: 'env:BADURL', format: 'slack' }, 'notifications.webhooks.0.url', badUrl],
  ] as const) {
    const e = refusal(() => targets([hook]));
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain(field);
    expect(e.message).not.toContain(secretValue);
  }
  const good = targets([{ name: 'ops', url: 'https://example.com/h', secret: 'env:GOOD' }]).get('ops')!;
  expect(good.key).toEqual(Buffer.from(env.GOOD.slice('whsec_'.length), 'base64'));
  // Resolved values are known to the redactor, so nothing logged can carry them.
  expect(redactor.scrub(`x ${env.GOOD} y`)).not.toContain(env.GOOD);
});
