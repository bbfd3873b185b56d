import { schedulerForApps } from '../../src/queue/scheduler.js';
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { DEFAULT_APPROVALS } from '../../src/config/approval-schema.js';
import { createRuntime } from '../../src/engine/runtime.js';
import { createService } from '../../src/service/service.js';
import { openJobStore, storeFile, type Delivery } from '../../src/store/index.js';
import { registerSecret } from '../support/scan-root.js';
import { AS_APPROVER, startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { newWebhookSecret, startWebhookReceiver, type ReceivedWebhook, type WebhookReceiver } from '../support/webhook-receiver.js';

/**
 * Issue 13 item 4: webhooks on awaiting_approval, succeeded, failed and cancelled,
 * signed per Standard Webhooks and checked by a receiver on loopback that verifies with
 * the `standardwebhooks` library; retried with backoff; kept in the store across a
 * restart; a Slack incoming-webhook body as an option; the secret in no log or store.
 */
let env: ServiceEnv | undefined;
const receivers: WebhookReceiver[] = [];
let secret: string;
let secretEnv: string;

test.afterEach(async () => {
  await env?.close();
  env = undefined;
  delete process.env[secretEnv];
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(options: { secret?: string } = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(options);
  receivers.push(r);
  return r;
}

/** The service on the API simulators with one signed webhook (`ops`) and fast retries. */
async function serviceWith(webhooks: Record<string, unknown>[], policy: Record<string, number> = {}): Promise<ServiceEnv> {
  env = await startServiceEnv({ config: { notifications: { webhooks, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000, ...policy } } });
  return env;
}

async function signedHook(policy: Record<string, number> = {}): Promise<{ env: ServiceEnv; hook: WebhookReceiver }> {
  secret = newWebhookSecret();
  secretEnv = `SEATCTL_TEST_WEBHOOK_SECRET_${process.pid}`;
  process.env[secretEnv] = secret;
  const hook = await receiver({ secret });
  return { env: await serviceWith([{ name: 'ops', url: hook.url, secret: `env:${secretEnv}` }], policy), hook };
}

const payload = (r: ReceivedWebhook) => JSON.parse(r.body) as { type: string; timestamp: string; data: Record<string, any> };
const types = (rs: ReceivedWebhook[]) => rs.map((r) => payload(r).type);
const waitAccepted = async (hook: WebhookReceiver, count: number) => {
  await expect.poll(() => hook.accepted().length, { timeout: 15_000 }).toBeGreaterThanOrEqual(count);
  return hook.accepted();
};
/** The outbox as a second process would read it (the service's own handle may be closed). */
async function deliveries(e: ServiceEnv, jobId: string): Promise<Delivery[]> {
  const store = await openJobStore(e.config);
  try {
    return await store.deliveries(jobId);
  } finally {
    await store.close();
  }
}

test('issue 13 item 4: an approved job sends signed awaiting_approval then succeeded; tampered or stale copies are refused', async () => {
  const { env, hook } = await signedHook();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
  const waiting = await env.waitFor(created.json.job.id, ['awaiting_approval']);
  const [asked] = await waitAccepted(hook, 1);
  expect(payload(asked!)).toMatchObject({
    type: 'job.awaiting_approval',
    data: { jobId: waiting.id, kind: 'offboard', status: 'awaiting_approval', requestedBy: expect.any(String), people: ['jdoe@example.com'], peopleCount: 1, apps: ['bigid'], planHash: waiting.planHash, links: { job: `/v1/jobs/${waiting.id}` } },
  });
  expect(payload(asked!).data.approvalReasons.length).toBeGreaterThan(0);
  expect(asked!.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
  expect(asked!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);

  expect((await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER)).status).toBe(200);
  expect((await env.waitFor(waiting.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  const both = await waitAccepted(hook, 2);
  expect(types(both)).toEqual(['job.awaiting_approval', 'job.succeeded']);
  expect(payload(both[1]!).data).toMatchObject({ status: 'succeeded', counts: { total: 1, changed: 1 } });
  // Every request the receiver saw verified (none refused), one per message.
  expect(hook.requests.every((r) => r.refused === null)).toBe(true);
  expect(new Set(both.map((r) => r.headers['webhook-id'])).size).toBe(2);

  // A copy with one byte of the body changed, and one re-signed with a timestamp ten minutes old.
  const genuine = both[1]!;
  const headers = { 'webhook-id': String(genuine.headers['webhook-id']), 'webhook-timestamp': String(genuine.headers['webhook-timestamp']), 'webhook-signature': String(genuine.headers['webhook-signature']) };
  expect(await hook.post(headers, genuine.body.replace('"succeeded"', '"failed"'))).toBe(400);
  const stale = new Date(Date.now() - 10 * 60_000);
  const staleHeaders = { ...headers, 'webhook-timestamp': String(Math.floor(stale.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(headers['webhook-id'], stale, genuine.body) };
  expect(await hook.post(staleHeaders, genuine.body)).toBe(400);
  expect(hook.requests.at(-1)!.refused).toMatch(/timestamp/i);
  expect(hook.requests.at(-2)!.refused).toMatch(/signature/i);

  const stored = await deliveries(env, waiting.id);
  expect(stored.map((d) => [d.event, d.status, d.attempts])).toEqual([['awaiting_approval', 'delivered', 1], ['succeeded', 'delivered', 1]]);
});

test('issue 13 item 4: a failing job sends failed, a cancelled or rejected one awaiting_approval then cancelled', async () => {
  const { env, hook } = await signedHook();
  env.bigid.faults.enqueue({ kind: '503', method: 'PUT', pathPrefix: '/api/v1/users/', times: 50 });
  const failing = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect((await env.waitFor(failing.json.job.id, ['succeeded', 'failed'])).status).toBe('failed');
  const [failed] = await waitAccepted(hook, 1);
  expect(payload(failed!)).toMatchObject({ type: 'job.failed', data: { jobId: failing.json.job.id, status: 'failed', counts: { total: 1, failed: 1 } } });

  const toCancel = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'], requireApproval: true });
  await env.waitFor(toCancel.json.job.id, ['awaiting_approval']);
  expect((await env.call('POST', `/v1/jobs/${toCancel.json.job.id}/cancel`)).status).toBe(200);
  const all = await waitAccepted(hook, 3);
  expect(all.slice(1).map((r) => [payload(r).type, payload(r).data.jobId])).toEqual([
    ['job.awaiting_approval', toCancel.json.job.id],
    ['job.cancelled', toCancel.json.job.id],
  ]);

  // A rejection cancels the job inside the approval store's own write: announced too, once.
  const toReject = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
  const waiting = await env.waitFor(toReject.json.job.id, ['awaiting_approval']);
  expect((await env.call('POST', `/v1/jobs/${waiting.id}/reject`, { planHash: waiting.planHash, reason: 'not approved by HR' }, AS_APPROVER)).status).toBe(200);
  const five = await waitAccepted(hook, 5);
  expect(five.slice(3).map((r) => [payload(r).type, payload(r).data.jobId, payload(r).data.status])).toEqual([
    ['job.awaiting_approval', waiting.id, 'awaiting_approval'],
    ['job.cancelled', waiting.id, 'cancelled'],
  ]);
  expect((await deliveries(env, waiting.id)).map((d) => d.event)).toEqual(['awaiting_approval', 'cancelled']);
});

test('issue 13 item 4: after a 500 and a 429 with Retry-After the same message is delivered, same webhook-id', async () => {
  // Retry-After is honoured up to maxDelayMs; the backoff itself stays at 20 ms.
  const { env, hook } = await signedHook({ maxDelayMs: 2000 });
  hook.answers.push({ status: 500 }, { status: 429, headers: { 'retry-after': '1' } });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  await env.waitFor(created.json.job.id, ['succeeded']);
  await waitAccepted(hook, 1);
  expect(hook.requests.map((r) => r.status)).toEqual([500, 429, 204]);
  expect(new Set(hook.requests.map((r) => r.headers['webhook-id'])).size).toBe(1);
  expect(new Set(hook.requests.map((r) => r.body)).size).toBe(1);
  const [d] = await deliveries(env, created.json.job.id);
  expect(d).toMatchObject({ status: 'delivered', attempts: 3 });
  // Retried on the receiver's schedule (Retry-After: 1 s), not on the 20 ms backoff.
  const retried = env.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'webhook delivery failed; will retry');
  expect(retried.map((l) => l.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'RATE_LIMITED']);
  expect(retried[1].retryInMs).toBeGreaterThanOrEqual(1000);
  expect(env.logs.join('\n')).not.toContain('do-not-log-this-body');
});

test('issue 13 item 4: gives up after maxAttempts on 5xx, at once on a 4xx or a redirect, and records it', async () => {
  const { env, hook } = await signedHook({ maxAttempts: 3 });
  const elsewhere = await receiver({ secret });
  hook.answers.push(...Array.from({ length: 3 }, () => ({ status: 503 })), { status: 410 }, { status: 307, headers: { location: elsewhere.url } });
  const jobs: string[] = [];
  for (const email of ['jdoe@example.com', 'asmith@example.com', 'bwayne@example.com']) {
    const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid'] });
    jobs.push(created.json.job.id);
    await expect.poll(async () => (await deliveries(env, created.json.job.id))[0]?.status, { timeout: 15_000 }).toBe('failed');
  }
  expect(hook.requests.map((r) => r.status)).toEqual([503, 503, 503, 410, 307]);
  // The redirect was not followed: a signed message goes only where it was configured to.
  expect(elsewhere.requests).toHaveLength(0);
  const [a, b, c] = await Promise.all(jobs.map(async (id) => (await deliveries(env, id))[0]));
  expect(a).toMatchObject({ attempts: 3, lastError: 'webhook ops: POST returned 503' });
  expect(b).toMatchObject({ attempts: 1, lastError: 'webhook ops: POST returned 410' });
  expect(c).toMatchObject({ attempts: 1, lastError: expect.stringContaining('returned 307 (redirects are not followed') });
  const logged = env.logs.map((l) => JSON.parse(l));
  expect(logged.find((l) => l.job === jobs[0] && l.msg === 'webhook delivery given up after 3 attempts')).toMatchObject({ webhook: 'ops', attempt: 3 });
  expect(logged.find((l) => l.job === jobs[1] && l.msg === 'webhook delivery refused by the receiver; not retried')).toMatchObject({ code: 'UPSTREAM_REJECTED' });
});

test('issue 13 item 4: a delivery pending when the service stops is sent once by the next start', async () => {
  const { env, hook } = await signedHook({ baseDelayMs: 50, maxDelayMs: 100 });
  await hook.down();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  await env.waitFor(created.json.job.id, ['succeeded']);
  await expect.poll(async () => (await deliveries(env, created.json.job.id))[0]?.attempts ?? 0, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  await env.service.stop(5000);
  const left = (await deliveries(env, created.json.job.id))[0]!;
  expect(left).toMatchObject({ status: 'pending', lastError: expect.stringContaining('connection failed') });
  expect(hook.requests).toHaveLength(0);

  await hook.up();
  const runtime = createRuntime({ config: env.config, log: env.runtime.log, redactor: env.redactor, scheduler: schedulerForApps(env.config.apps, env.runtime.log) });
  const second = createService({ config: env.config, runtime, store: await openJobStore(env.config), approvals: DEFAULT_APPROVALS, log: env.runtime.log, auth: null, webhookPollMs: 50 });
  await second.start();
  try {
    const [got] = await waitAccepted(hook, 1);
    expect(got!.headers['webhook-id']).toBe(left.id);
    expect(payload(got!)).toMatchObject({ type: 'job.succeeded', data: { jobId: created.json.job.id } });
    await expect.poll(async () => (await deliveries(env, created.json.job.id))[0]?.status).toBe('delivered');
    // Polling goes on; nothing is sent again for a delivered message.
    await new Promise((r) => setTimeout(r, 300));
    expect(hook.requests).toHaveLength(1);
  } finally {
    await second.stop(5000);
  }
});

test('issue 13 item 4: Slack format posts {text} with job, kind, status, people and link; unsigned; only its events', async () => {
  const slack = await receiver();
  registerSecret(slack.url, 'slack incoming-webhook URL');
  secretEnv = `SEATCTL_TEST_SLACK_URL_${process.pid}`;
  process.env[secretEnv] = slack.url;
  const env = await serviceWith([{ name: 'it-channel', url: `env:${secretEnv}`, format: 'slack', events: ['failed', 'awaiting_approval'] }]);
  const ok = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] });
  await env.waitFor(ok.json.job.id, ['succeeded']);
  env.bigid.faults.enqueue({ kind: '503', method: 'PUT', pathPrefix: '/api/v1/users/', times: 50 });
  const bad = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  await env.waitFor(bad.json.job.id, ['failed']);
  const [msg] = await waitAccepted(slack, 1);
  const body = JSON.parse(msg!.body) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['text']);
  const text = body.text as string;
  for (const part of [bad.json.job.id, 'offboard', 'failed', 'jdoe@example.com', `/v1/jobs/${bad.json.job.id}`, '1 failed']) expect(text).toContain(part);
  expect(msg!.headers['webhook-signature']).toBeUndefined();
  // The succeeded job was not announced: this webhook listens for failed and awaiting_approval only.
  await new Promise((r) => setTimeout(r, 200));
  expect(slack.requests).toHaveLength(1);
  expect(env.logs.join('\n')).not.toContain(slack.url);
});

test('issue 13 item 4: the signing secret is in no log, store row or delivery body', async () => {
  const { env, hook } = await signedHook();
  hook.answers.push({ status: 500 });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  await env.waitFor(created.json.job.id, ['succeeded']);
  await waitAccepted(hook, 1);
  const key = secret.slice('whsec_'.length);
  const storeBytes = readFileSync(storeFile(env.config.dataDir)).toString('latin1') + readFileSync(`${storeFile(env.config.dataDir)}-wal`, { flag: 'a+' }).toString('latin1');
  for (const text of [env.logs.join('\n'), storeBytes, ...hook.requests.map((r) => r.body)]) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(Buffer.from(key, 'base64').toString('hex'));
  }
  // What is logged about a delivery: names and ids, never the URL's path or the secret.
  expect(env.logs.filter((l) => l.includes('webhook')).join('\n')).not.toContain('/hooks/seatctl');
});
