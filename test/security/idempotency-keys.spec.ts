import { test, expect } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';

/**
 * The `Idempotency-Key` header follows the body key's rule (printable, bounded,
 * non-empty), may be sent once, and cannot claim seatctl's own namespace. Sent over a
 * real socket: repeated headers are joined by Node before an in-process inject sees them.
 */
let env: ServiceEnv;
let port: number;
test.beforeEach(async () => {
  env = await startServiceEnv();
  await env.service.app.listen({ port: 0, host: '127.0.0.1' });
  port = (env.service.app.server.address() as AddressInfo).port;
});
test.afterEach(async () => env.close());

const BODY = JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true });

function post(keys: string[] | null, body = BODY): Promise<{ status: number; json: { error?: { code: string; field?: string; message: string }; job?: { id: string } } }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/v1/jobs', method: 'POST', agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.setHeader('authorization', `Bearer ${TEST_TOKEN}`);
    req.setHeader('content-type', 'application/json');
    // An array makes Node send one header line per value.
    if (keys) req.setHeader('Idempotency-Key', keys);
    req.end(body);
  });
}

async function jobCount(): Promise<number> {
  return (await env.call('GET', '/v1/jobs')).json.jobs.length;
}

test('security #4: a bad Idempotency-Key header is refused like a bad body key, naming the header', async () => {
  for (const bad of ['', 'has space', 'x'.repeat(201), 'caf\u00e9']) {
    const r = await post([bad]);
    expect(r.status, JSON.stringify(bad)).toBe(400);
    expect(r.json.error?.field).toBe('Idempotency-Key');
  }
  expect(await jobCount()).toBe(0);
});

test('security #4: two Idempotency-Key headers are an error, not the key "k1, k2"', async () => {
  const r = await post(['k1', 'k2']);
  expect(r.status).toBe(400);
  expect(r.json.error?.field).toBe('Idempotency-Key');
  expect(r.json.error?.message).toContain('once');
  expect(await jobCount()).toBe(0);
  // And neither key was taken: each still creates its own job.
  expect((await post(['k1'])).status).toBe(202);
  expect((await post(['k2'])).status).toBe(202);
  expect(await jobCount()).toBe(2);
});

test("security #4: keys in seatctl's own namespace cannot be claimed, by header or body", async () => {
  const byHeader = await post(['review-orphans:job_123']);
  expect(byHeader.status).toBe(400);
  expect(byHeader.json.error?.field).toBe('Idempotency-Key');
  const byBody = await post(null, JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true, idempotencyKey: 'review-orphans:job_123' }));
  expect(byBody.status).toBe(400);
  expect(byBody.json.error?.field).toBe('idempotencyKey');
  expect(await jobCount()).toBe(0);
});

test('security #4: a valid header key is honoured: the same body twice is one job', async () => {
  const first = await post(['offboard-jdoe-2026-11-30']);
  const again = await post(['offboard-jdoe-2026-11-30']);
  expect(first.status).toBe(202);
  expect(again.status).toBe(200);
  expect(again.json.job?.id).toBe(first.json.job?.id);
  expect(await jobCount()).toBe(1);
});
