import { test, expect } from '@playwright/test';
import { groundTruth } from '../support/api-env.js';
import { AS_APPROVER, startServiceEnv, type ServiceEnv } from '../support/service-env.js';

interface Truth { users: { email: string; isEnabled?: boolean; isArchived?: boolean; role?: string; memberType?: string }[] }

let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv();
});
test.afterEach(async () => env.close());

const user = async (app: 'bigid' | 'sigma', email: string) => (await groundTruth<Truth>(env[app].stateUrl)).users.find((u) => u.email === email)!;

test('undo of an offboarding reactivates with the former role, after approval', async () => {
  const off = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  await env.waitFor(off.json.job.id, ['succeeded']);
  expect(await user('bigid', 'jdoe@example.com')).toMatchObject({ isEnabled: false });

  const undo = await env.call('POST', `/v1/jobs/${off.json.job.id}/undo`, {});
  expect(undo.status).toBe(202);
  const waiting = await env.waitFor(undo.json.job.id, ['awaiting_approval']);
  expect(waiting.kind).toBe('undo');
  expect(waiting.tasks.map((t: { action: string }) => t.action)).toEqual(['reactivate', 'reactivate']);
  await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER);
  const done = await env.waitFor(waiting.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(await user('bigid', 'jdoe@example.com')).toMatchObject({ isEnabled: true, role: 'Admin' });
  expect(await user('sigma', 'jdoe@example.com')).toMatchObject({ isArchived: false, memberType: 'Creator' });
});

test('undo of a role change restores the former role', async () => {
  const change = await env.call('POST', '/v1/jobs', { kind: 'set-role', email: 'asmith@example.com', roles: { bigid: 'Auditor' } });
  await env.waitFor(change.json.job.id, ['succeeded']);
  const undo = await env.call('POST', `/v1/jobs/${change.json.job.id}/undo`, {});
  const waiting = await env.waitFor(undo.json.job.id, ['awaiting_approval']);
  await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, AS_APPROVER);
  await env.waitFor(waiting.id, ['succeeded']);
  expect(await user('bigid', 'asmith@example.com')).toMatchObject({ role: 'Viewer', isEnabled: true });
});

test('a job that changed nothing, or is not finished, cannot be undone', async () => {
  const noop = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'ghost@example.com', apps: ['bigid'] });
  await env.waitFor(noop.json.job.id, ['succeeded']);
  expect((await env.call('POST', `/v1/jobs/${noop.json.job.id}/undo`, {})).status).toBe(409);
  const waiting = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
  await env.waitFor(waiting.json.job.id, ['awaiting_approval']);
  expect((await env.call('POST', `/v1/jobs/${waiting.json.job.id}/undo`, {})).status).toBe(409);
  expect((await env.call('POST', `/v1/jobs/job_nope/undo`, {})).status).toBe(404);
});
