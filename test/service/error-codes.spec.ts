import { readFileSync } from 'node:fs';
import { test, expect } from '@playwright/test';
import { ERROR_CODES } from '../../src/errors/index.js';
import { writeCliConfig } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue 14 (seams): one error code per meaning. A missing job is JOB_NOT_FOUND and a
 * missing file ARTIFACT_NOT_FOUND, over HTTP and in the CLI; USER_NOT_FOUND is kept
 * for an app's account. Every code is documented.
 */
test.describe.configure({ mode: 'serial' });

let env: ServiceEnv;
test.beforeAll(async () => {
  env = await startServiceEnv();
});
test.afterAll(async () => env?.close());

test('a job that does not exist is JOB_NOT_FOUND (404), a file that does not exist ARTIFACT_NOT_FOUND (404)', async () => {
  for (const url of ['/v1/jobs/job_nope', '/v1/jobs/job_nope/report', '/v1/jobs/job_nope/artifacts/t01-bigid/evidence.json']) {
    const r = await env.call('GET', url);
    expect(r.status, url).toBe(404);
    expect(r.json.error.code, url).toBe('JOB_NOT_FOUND');
  }
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true });
  const job = await env.waitFor(created.json.job.id, ['planned', 'succeeded']);
  const missing = await env.call('GET', `/v1/jobs/${job.id}/artifacts/t01-bigid/no-such-file.json`);
  expect(missing.status).toBe(404);
  expect(missing.json.error.code).toBe('ARTIFACT_NOT_FOUND');
});

test('the CLI says JOB_NOT_FOUND for an unknown job', async () => {
  const config = writeCliConfig(env, { name: 'codes.config.json', dataDir: 'codes-data' });
  const local = await cli(['--json', 'jobs', 'show', 'job_nope', '--config', config]);
  // A job id that names no job is a bad argument: exit 2, as for any other.
  expect(local.code).toBe(2);
  expect(JSON.parse(local.stdout).error.code).toBe('JOB_NOT_FOUND');
});

test('every error code is documented in docs/behaviour.md', () => {
  const doc = readFileSync('docs/behaviour.md', 'utf8');
  const section = doc.slice(doc.indexOf('## Error codes'));
  for (const code of Object.keys(ERROR_CODES)) expect(section, code).toContain(`\`${code}\``);
});
