import { test, expect } from '@playwright/test';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isLoopback } from '../../src/service/auth.js';
import { openApiDocument } from '../../src/service/openapi.js';
import { SERVICE_VERSION } from '../../src/service/build-app.js';
import { jobDir } from '../../src/audit/job-folder.js';
import { writeCliConfig } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';
import { looseModes } from './file-modes.js';

/**
 * Access control of the job service and of what seatctl leaves on disk (extends
 * service-api.spec.ts): every route but /healthz wants the bearer token; artifact and
 * report routes refuse every way of leaving the job's folder (encoded, double-encoded,
 * backslashes, absolute paths, NUL, symlinks) and never return another file's bytes;
 * serve refuses to listen beyond loopback without a token; and the data dir is
 * owner-only all the way down.
 */
test.describe.configure({ mode: 'serial' });

let env: ServiceEnv;
let jobId: string;
let reviewId: string;
let configFile: string;

test.beforeAll(async () => {
  env = await startServiceEnv();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] });
  expect(created.status).toBe(202);
  jobId = (await env.waitFor(created.json.job.id, ['succeeded'])).id;
  const review = await env.call('POST', '/v1/jobs', { kind: 'review', apps: 'all', roster: { csv: 'email,name,status\nasmith@example.com,Alice Smith,active\n' } });
  expect(review.status).toBe(202);
  reviewId = (await env.waitFor(review.json.job.id, ['succeeded'])).id;
  expect((await env.call('GET', `/v1/jobs/${jobId}/report`)).status).toBe(200);
  // The same simulators through the CLI, whose data dir also gets a log file.
  configFile = writeCliConfig(env);
  const run = await cli(['--json', 'offboard', 'asmith@example.com', '--yes', '--config', configFile]);
  expect(run.code, run.stderr).toBe(0);
  const reviewRun = await cli(['review', '--config', configFile, '--format', 'json']);
  expect(reviewRun.code, reviewRun.stderr).toBe(0);
});
test.afterAll(async () => env?.close());

/** Every route the service has, from its own OpenAPI document, with real ids filled in. */
function routes(): { method: 'GET' | 'POST'; url: string }[] {
  const doc = openApiDocument(SERVICE_VERSION) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops)
      .filter((m) => m === 'get' || m === 'post')
      .map((m) => ({ method: m.toUpperCase() as 'GET' | 'POST', url: p.replace('{id}', jobId).replace('{path}', 't01-bigid/evidence.json') })),
  );
}

test('every route but /healthz answers 401 without the token, with a wrong one, or a malformed header', async () => {
  const all = routes();
  expect(all.length).toBeGreaterThanOrEqual(10);
  const headers: Record<string, string>[] = [
    {},
    { authorization: '' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${TEST_TOKEN}x` },
    { authorization: `Bearer ${TEST_TOKEN.slice(0, -1)}` },
    { authorization: `Bearer ${TEST_TOKEN} extra` },
    { authorization: `Basic ${Buffer.from(`x:${TEST_TOKEN}`).toString('base64')}` },
    { authorization: TEST_TOKEN },
    { authorization: `Token ${TEST_TOKEN}` },
    { 'x-api-key': TEST_TOKEN },
    { cookie: `token=${TEST_TOKEN}` },
  ];
  for (const { method, url } of [...all, { method: 'GET' as const, url: '/v1/no-such-route' }, { method: 'GET' as const, url: `/v1/jobs?token=${TEST_TOKEN}` }]) {
    for (const h of headers) {
      const res = await env.service.app.inject({ method, url, headers: { 'content-type': 'application/json', ...h }, ...(method === 'POST' ? { payload: '{}' } : {}) });
      if (url === '/healthz') {
        expect(res.statusCode).toBe(200);
        continue;
      }
      expect(res.statusCode, `${method} ${url} with ${JSON.stringify(h)}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
      expect(res.body).not.toContain(jobId);
    }
  }
  // The right token opens them (the scheme is case-insensitive, as RFC 7235 says).
  expect((await env.call('GET', `/v1/jobs/${jobId}`, undefined, { authorization: `bearer ${TEST_TOKEN}` })).status).toBe(200);
  expect((await env.call('GET', `/v1/jobs/${jobId}/artifacts/t01-bigid/evidence.json`)).status).toBe(200);
});

test('artifact and report routes never leave the job folder, however the path is spelled', async () => {
  const dataDir = env.config.dataDir;
  const dir = jobDir(dataDir, jobId);
  // A file next to the job folder, and symlinks inside it that point out of it.
  mkdirSync(path.join(dataDir, 'private'), { recursive: true, mode: 0o700 });
  writeFileSync(path.join(dataDir, 'private', 'x.json'), '{"private":"PRIVATE-MARKER"}', { mode: 0o600 });
  symlinkSync(path.join(dataDir, 'private', 'x.json'), path.join(dir, 't01-bigid', 'linked.json'));
  symlinkSync(dataDir, path.join(dir, 'up'));
  symlinkSync('/etc/passwd', path.join(dir, 'passwd.json'));

  const bad = [
    '../../private/x.json',
    '../../seatctl.db',
    't01-bigid/../../../private/x.json',
    '..%2F..%2Fprivate%2Fx.json',
    '%2e%2e/%2e%2e/private/x.json',
    '%2E%2E%2F%2E%2E%2Fseatctl.db',
    '%252e%252e%252f%252e%252e%252fprivate%252fx.json',
    '..%252f..%252fseatctl.db',
    '..%5c..%5cprivate%5cx.json',
    '..\\..\\private\\x.json',
    't01-bigid\\..\\..\\..\\seatctl.db',
    '.%2e/.%2e/seatctl.db',
    '%c0%ae%c0%ae/%c0%ae%c0%ae/seatctl.db',
    '\uff0e\uff0e/\uff0e\uff0e/seatctl.db',
    '/etc/passwd',
    '%2Fetc%2Fpasswd',
    '//etc/passwd',
    `${dataDir}/seatctl.db`,
    encodeURIComponent(`${dataDir}/seatctl.db`),
    't01-bigid/evidence.json%00.jpg',
    't01-bigid/%00',
    't01-bigid//evidence.json',
    't01-bigid/./evidence.json/..',
    't01-bigid/linked.json',
    'up/seatctl.db',
    'up/private/x.json',
    'passwd.json',
    't01-bigid',
    '.',
    '',
  ];
  for (const p of bad) {
    const r = await env.call('GET', `/v1/jobs/${jobId}/artifacts/${p}`);
    expect([400, 404], `artifacts/${p} → ${r.status}`).toContain(r.status);
    expect(r.text, p).not.toContain('PRIVATE-MARKER');
    expect(r.text, p).not.toContain('SQLite format 3');
    expect(r.text, p).not.toContain('root:x:0:0');
  }
  // The job id is part of the path too.
  for (const id of ['..', '%2e%2e', '..%2F..%2Fprivate', `${jobId}%2F..%2F..`, `${jobId}%2F..%2F${reviewId}`, 'x'.repeat(101)]) {
    for (const tail of ['/report', '/artifacts/t01-bigid/evidence.json', '']) {
      const r = await env.call('GET', `/v1/jobs/${id}${tail}`);
      // 414: fastify refuses a path parameter over 100 characters before any handler runs.
      expect([400, 404, 414], `jobs/${id}${tail} → ${r.status}`).toContain(r.status);
      expect(r.text).not.toContain('PRIVATE-MARKER');
    }
  }
  // Inside the folder still works, with the safe headers.
  const ok = await env.call('GET', `/v1/jobs/${jobId}/artifacts/report.html`);
  expect(ok.status).toBe(200);
  expect(ok.headers['x-content-type-options']).toBe('nosniff');
  expect(String(ok.headers['content-security-policy'])).toContain("default-src 'none'");
  expect((await env.call('GET', `/v1/jobs/${reviewId}/artifacts/review.csv`)).status).toBe(200);
});

test('serve will not listen beyond loopback without a token, nor with a short one', async () => {
  for (const host of ['127.0.0.1', '127.9.9.9', '::1', 'localhost']) expect(isLoopback(host), host).toBe(true);
  for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', '::ffff:127.0.0.1', 'LOCALHOST', 'localhost.', '127.0.0.1.nip.io', 'example.com', '']) expect(isLoopback(host), host).toBe(false);
  const open = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--config', configFile]);
  expect(open.code).toBe(2);
  expect(open.stderr).toMatch(/--host 0\.0\.0\.0: refusing to listen beyond loopback without a bearer token/);
  const short = await cli(['serve', '--host', '0.0.0.0', '--port', '0', '--config', configFile, '--token-ref', 'env:SHORT_TOKEN'], { SHORT_TOKEN: 'abc' });
  expect(short.code).toBe(2);
  expect(short.stderr).toMatch(/at least 16 characters/);
  expect(short.stderr).not.toContain('abc\n');
});

test('the data dirs (service and CLI) are owner-only all the way down: dirs 0700, files 0600', async () => {
  for (const dataDir of [env.config.dataDir, path.join(env.dir, 'cli-data')]) {
    const { problems, dirs, files } = looseModes(dataDir);
    expect(problems, `not owner-only under ${dataDir}`).toEqual([]);
    expect(dirs).toBeGreaterThan(3);
    // What must be there for the check to mean something.
    const names = files.map((f) => path.basename(f));
    expect(names).toEqual(expect.arrayContaining(['seatctl.db', 'evidence.json', 'job.json']));
  }
  // The service's store is still open, so SQLite's WAL companions exist (the CLI's closed and checkpointed).
  expect(looseModes(env.config.dataDir).files).toEqual(expect.arrayContaining(['seatctl.db-wal', 'seatctl.db-shm']));
  const cliFiles = looseModes(path.join(env.dir, 'cli-data')).files;
  expect(cliFiles).toEqual(expect.arrayContaining([path.join('logs', 'seatctl.log')]));
  expect(cliFiles.some((f) => f.endsWith('report.html'))).toBe(true);
  const serviceFiles = looseModes(env.config.dataDir).files;
  expect(serviceFiles.some((f) => f.endsWith('review.html'))).toBe(true);
  expect(serviceFiles.some((f) => f.endsWith('report.html'))).toBe(true);
});
