import { test, expect } from '@playwright/test';
import type { AddressInfo } from 'node:net';
import { groundTruth } from '../support/api-env.js';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';

let env: ServiceEnv;
let base: string;
test.beforeEach(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 25 } });
  await env.service.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(env.service.app.server.address() as AddressInfo).port}`;
});
test.afterEach(async () => env.close());

const post = async (body: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(`${base}/v1/jobs`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as any };
};

test('idempotency #15: a key reused with a different body is refused with 409; the same body gets the same job', async () => {
  const first = await post({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] }, { 'idempotency-key': 'hr-event-7' });
  expect(first.status).toBe(202);
  await env.waitFor(first.json.job.id, ['succeeded']);

  // Same request, keys in another order and a default spelled out: the same job.
  const same = await post({ apps: ['bigid'], dryRun: false, email: 'jdoe@example.com', kind: 'offboard' }, { 'idempotency-key': 'hr-event-7' });
  expect(same.status).toBe(200);
  expect(same.json.job.id).toBe(first.json.job.id);

  // Another person under the same key: refused, and nothing is done to that person.
  const other = await post({ kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] }, { 'idempotency-key': 'hr-event-7' });
  expect(other.status).toBe(409);
  expect(other.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  expect(other.json.error.field).toBe('idempotencyKey');
  expect(other.json.error.message).toContain(first.json.job.id);
  // Another app, and a dry run, under the same key in the body: refused too.
  expect((await post({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'], idempotencyKey: 'hr-event-7' })).status).toBe(409);
  expect((await post({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true, idempotencyKey: 'hr-event-7' })).status).toBe(409);

  const list = await fetch(`${base}/v1/jobs`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } }).then((r) => r.json() as Promise<{ jobs: { id: string }[] }>);
  expect(list.jobs.map((j) => j.id)).toEqual([first.json.job.id]);
  // Ground truth: only jdoe's one deactivation reached BigID; Sigma was never touched.
  const bigid = await groundTruth(env.bigid.stateUrl);
  expect(bigid.mutations).toHaveLength(1);
  expect((await groundTruth(env.sigma.stateUrl)).mutations).toHaveLength(0);
  expect(bigid.users.find((u) => u.email === 'asmith@example.com')?.isEnabled).toBe(true);
});
