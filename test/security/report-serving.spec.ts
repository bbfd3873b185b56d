import { test, expect } from '@playwright/test';
import { readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { scanTempDir } from '../support/scan-root.js';

let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv();
});
test.afterEach(async () => env.close());

test('security #9: reports and artifacts are served with nosniff and may not be framed', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(created.status).toBe(202);
  const id = created.json.job.id as string;
  expect((await env.waitFor(id, ['succeeded', 'failed'])).status).toBe('succeeded');

  const report = await env.call('GET', `/v1/jobs/${id}/report`);
  expect(report.status).toBe(200);
  expect(report.headers['x-content-type-options']).toBe('nosniff');
  expect(String(report.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
  expect(String(report.headers['content-security-policy'])).not.toContain('script-src');

  const taskDir = (await readdir(path.join(env.config.dataDir, 'jobs', id), { withFileTypes: true })).find((d) => d.isDirectory());
  expect(taskDir).toBeDefined();
  const files = await readdir(path.join(env.config.dataDir, 'jobs', id, taskDir!.name));
  expect(files.length).toBeGreaterThan(0);
  const artifact = await env.call('GET', `/v1/jobs/${id}/artifacts/${taskDir!.name}/${files[0]}`);
  expect(artifact.status).toBe(200);
  expect(artifact.headers['x-content-type-options']).toBe('nosniff');
  expect(String(artifact.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
});

test('security #6: a review.html planted as a symlink is not served by GET /report', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', apps: ['bigid'] });
  expect(created.status).toBe(202);
  const id = created.json.job.id as string;
  expect((await env.waitFor(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  const reviewHtml = path.join(env.config.dataDir, 'jobs', id, 'review.html');
  const honest = await env.call('GET', `/v1/jobs/${id}/report`);
  expect(honest.status).toBe(200);
  expect(honest.text).toContain('bigid');

  const outside = path.join(scanTempDir('seatctl-planted-'), 'private.txt');
  await writeFile(outside, 'PRIVATE-CONTENT-OUTSIDE-THE-JOB');
  await rm(reviewHtml);
  await symlink(outside, reviewHtml);
  const planted = await env.call('GET', `/v1/jobs/${id}/report`);
  expect(planted.status).toBeGreaterThanOrEqual(400);
  expect(planted.status).toBeLessThan(500);
  expect(planted.text).not.toContain('PRIVATE-CONTENT-OUTSIDE-THE-JOB');
});

test('security #9: job documents over HTTP name no server path', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(created.status).toBe(202);
  const id = created.json.job.id as string;
  await env.waitFor(id, ['succeeded', 'failed']);
  const root = path.resolve(env.config.dataDir);
  for (const r of [created, await env.call('GET', `/v1/jobs/${id}`), await env.call('GET', '/v1/jobs')]) {
    expect(r.text).not.toContain(root);
    expect(r.text).not.toContain(env.dir);
  }
  const doc = (await env.call('GET', `/v1/jobs/${id}`)).json.job;
  const task = doc.tasks[0];
  expect(task.evidence.dir).toBe(`/v1/jobs/${id}/artifacts/${task.id}/`);
  // The URL it gives does serve the task's files (an API task's record is its evidence.json).
  const record = await env.call('GET', `${task.evidence.dir}evidence.json`);
  expect(record.status).toBe(200);
  expect(record.json.length).toBe(task.evidence.requests);
});

test('security #9: a bidi override in an app name is shown visibly in the report, never obeyed', async () => {
  const res = await fetch(`${env.bigid.url}/__fixture/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'rlo@example.com', name: 'rlo', firstName: 'Invoice\u202Egpj', lastName: 'exe', role: 'Viewer' }),
  });
  expect(res.status).toBe(201);
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', apps: ['bigid'] });
  const id = created.json.job.id as string;
  expect((await env.waitFor(id, ['succeeded', 'failed'])).status).toBe('succeeded');
  const report = await env.call('GET', `/v1/jobs/${id}/report`);
  expect(report.text).toContain('Invoice&lt;U+202E&gt;gpj');
  expect(report.text).not.toContain('\u202E');
});
