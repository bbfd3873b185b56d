import { test, expect } from '@playwright/test';
import Database from 'better-sqlite3';
import { writeFile, mkdir } from 'node:fs/promises';
import { groundTruth } from '../support/api-env.js';
import { AS_APPROVER, dataPath, startServiceEnv, type ServiceEnv } from '../support/service-env.js';

let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 25 } });
});
test.afterEach(async () => env.close());

test('healthz needs no token; everything else needs the right one', async () => {
  expect((await env.service.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  expect((await env.service.app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode).toBe(401);
  expect((await env.call('GET', '/v1/jobs', undefined, { authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);
  expect((await env.call('GET', '/metrics', undefined, { authorization: 'Basic x' })).status).toBe(401);
  expect((await env.call('GET', '/v1/jobs')).status).toBe(200);
});

test('a job submitted over HTTP is accepted (202), runs, and the mutation lands once', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  expect(created.status).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  expect(job.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['changed', 'changed']);
  const truth = await groundTruth(env.bigid.stateUrl);
  expect(truth.mutations).toHaveLength(1);
  const list = await env.call('GET', '/v1/jobs?status=succeeded');
  expect(list.json.jobs.map((j: { id: string }) => j.id)).toContain(created.json.job.id);
});

test('the same idempotency key returns the existing job', async () => {
  const body = { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'], idempotencyKey: 'hr-event-42' };
  const first = await env.call('POST', '/v1/jobs', body);
  const second = await env.call('POST', '/v1/jobs', body);
  expect(first.status).toBe(202);
  expect(second.status).toBe(200);
  expect(second.json.job.id).toBe(first.json.job.id);
  const viaHeader = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] }, { 'idempotency-key': 'hr-event-42' });
  expect(viaHeader.json.job.id).toBe(first.json.job.id);
});

test('over the blast-radius cap the job waits; a stale hash is refused; the right hash runs it', async () => {
  await env.close();
  env = await startServiceEnv({ approvals: { blastRadius: 1 } });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  const waiting = await env.waitFor(created.json.job.id, ['awaiting_approval']);
  expect(waiting.approval.reasons.join(' ')).toContain('blast-radius');
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
  const stale = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: 'f'.repeat(64) }, AS_APPROVER);
  expect(stale.status).toBe(409);
  const ok = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER);
  expect(ok.status).toBe(200);
  const done = await env.waitFor(waiting.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
});

test('a target that changed between plan and approval is re-planned and needs approval again', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
  const waiting = await env.waitFor(created.json.job.id, ['awaiting_approval']);
  // Someone changes jdoe's role in BigID after the plan was made.
  const jdoe = env.bigid.store.findByEmail('jdoe@example.com')!;
  env.bigid.store.replace(jdoe.id, { ...jdoe, role: 'Viewer' });
  await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER);
  const again = await env.waitFor(waiting.id, ['awaiting_approval', 'succeeded', 'failed']);
  expect(again.status).toBe('awaiting_approval');
  expect(again.planHash).not.toBe(waiting.planHash);
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
  expect((await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER)).status).toBe(409);
});

test('artifacts: files inside the job folder are served; traversal is refused', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  const job = await env.waitFor(created.json.job.id, ['succeeded']);
  const ok = await env.call('GET', `/v1/jobs/${job.id}/artifacts/t01-bigid/evidence.json`);
  expect(ok.status).toBe(200);
  await mkdir(dataPath(env, 'secret-area'), { recursive: true });
  await writeFile(dataPath(env, 'secret-area', 'x.txt'), 'nope');
  for (const bad of ['../../secret-area/x.txt', '..%2F..%2Fsecret-area%2Fx.txt', '%2e%2e/%2e%2e/secret-area/x.txt', 't01-bigid/../../../seatctl.db', '/etc/passwd', 't01-bigid/%00evidence.json']) {
    const r = await env.call('GET', `/v1/jobs/${job.id}/artifacts/${bad}`);
    expect([400, 404], `${bad} → ${r.status}`).toContain(r.status);
    expect(r.text).not.toContain('nope');
  }
  expect((await env.call('GET', `/v1/jobs/${job.id}/artifacts/t01-bigid/evidence.json`, undefined, { authorization: '' })).status).toBe(401);
});

test('the report is HTML that escapes app-supplied names and verifies', async () => {
  const jdoe = env.bigid.store.findByEmail('jdoe@example.com')!;
  env.bigid.store.replace(jdoe.id, { ...jdoe, firstName: '<img src=x onerror=alert(1)>' });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  const job = await env.waitFor(created.json.job.id, ['succeeded']);
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status).toBe(200);
  expect(String(report.headers['content-type'])).toContain('text/html');
  // The verdict itself: a bare toContain('verified') would also match "✘ NOT verified".
  expect(report.text).toMatch(/<p class="chain-ok" id="verification">✔ verified: audit chain intact \(\d+ records\)/);
  expect(report.text).not.toContain('<img src=x');
  expect(report.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
  // After an audit record is edited behind the service's back, the same report says so.
  const db = new Database(dataPath(env, 'seatctl.db'));
  try {
    db.prepare("UPDATE audit SET data = '{\"status\":\"cancelled\"}' WHERE job_id = ? AND kind = 'finished'").run(job.id);
  } finally {
    db.close();
  }
  const tampered = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(tampered.text).toMatch(/<p class="chain-bad" id="verification">✘ NOT verified: audit chain broken at record \d+/);
});

test('metrics expose jobs by state, task durations, retries and queue depth', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  await env.waitFor(created.json.job.id, ['succeeded']);
  const m = await env.call('GET', '/metrics');
  expect(m.status).toBe(200);
  expect(m.text).toContain('seatctl_jobs{status="succeeded"} 1');
  expect(m.text).toMatch(/seatctl_task_duration_seconds_count\{app="bigid",driver="bigid-api"\} 1/);
  expect(m.text).toContain('seatctl_retries_total{app="bigid"}');
  expect(m.text).toContain('seatctl_queue_depth{app="sigma",state="queued"} 0');
});

test('a scheduled job waits for its time and then runs', async () => {
  const runAt = new Date(Date.now() + 400).toISOString();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], runAt });
  expect(created.json.job.status).toBe('planned');
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
  const done = await env.waitFor(created.json.job.id, ['succeeded']);
  expect(done.runAt).toBe(runAt);
});
