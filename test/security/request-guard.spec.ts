import { test, expect } from '@playwright/test';
import Fastify from 'fastify';
import { registerRequestGuard } from '../../src/service/request-guard.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * The probes of the security review, replayed against the service without a token (the
 * loopback-only mode): a DNS-rebinding Host, a foreign Origin, and a text/plain POST as
 * any web page can send cross-site. Each must be refused, and nothing stored.
 */
let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv({ tokenless: true });
});
test.afterEach(async () => env.close());

const offboard = JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });

async function inject(method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: string) {
  const res = await env.service.app.inject({ method, url, headers, ...(payload !== undefined ? { payload } : {}) });
  return { status: res.statusCode, json: JSON.parse(res.body || 'null') as { error?: { code: string } } | null };
}

async function jobCount(): Promise<number> {
  const r = await inject('GET', '/v1/jobs', { host: '127.0.0.1:8080' });
  expect(r.status).toBe(200);
  return (r.json as unknown as { jobs: unknown[] }).jobs.length;
}

test('security #2: a DNS-rebinding Host is refused without a token, read or write', async () => {
  const read = await inject('GET', '/v1/jobs', { host: 'attacker.example:8080' });
  expect(read.status).toBe(421);
  expect(read.json?.error?.code).toBe('HOST_NOT_ALLOWED');
  const write = await inject('POST', '/v1/jobs', { host: 'attacker.example', 'content-type': 'application/json' }, offboard);
  expect(write.status).toBe(421);
  expect(await jobCount()).toBe(0);
  // Loopback names are this service's own, so they still work.
  for (const host of ['127.0.0.1:8080', 'localhost:8080', '[::1]:8080']) expect((await inject('GET', '/v1/jobs', { host })).status).toBe(200);
});

test('security #2: a foreign Origin cannot change anything; the same origin can', async () => {
  const foreign = await inject('POST', '/v1/jobs', { host: '127.0.0.1:8080', origin: 'https://attacker.example', 'content-type': 'application/json' }, offboard);
  expect(foreign.status).toBe(403);
  expect(foreign.json?.error?.code).toBe('ORIGIN_REFUSED');
  const nullOrigin = await inject('POST', '/v1/jobs', { host: '127.0.0.1:8080', origin: 'null', 'content-type': 'application/json' }, offboard);
  expect(nullOrigin.status).toBe(403);
  expect(await jobCount()).toBe(0);
  const same = await inject('POST', '/v1/jobs', { host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080', 'content-type': 'application/json' }, JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true }));
  expect(same.status).toBe(202);
  expect(await jobCount()).toBe(1);
});

test('security #2: a text/plain POST (a cross-site "simple request") to create, cancel or undo is refused', async () => {
  const created = await inject('POST', '/v1/jobs', { host: '127.0.0.1:8080', 'content-type': 'application/json' }, JSON.stringify({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true }));
  expect(created.status).toBe(202);
  const id = (created.json as unknown as { job: { id: string } }).job.id;
  for (const url of ['/v1/jobs', `/v1/jobs/${id}/cancel`, `/v1/jobs/${id}/undo`]) {
    const r = await inject('POST', url, { host: '127.0.0.1:8080', 'content-type': 'text/plain' }, offboard);
    expect(r.status, url).toBe(415);
    expect(r.json?.error?.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  }
  const noType = await inject('POST', `/v1/jobs/${id}/cancel`, { host: '127.0.0.1:8080' });
  expect(noType.status).toBe(415);
  expect(await jobCount()).toBe(1);
});

test('security #2: service.allowedHosts adds names; with a token and no list any Host is accepted', async () => {
  const listed = Fastify();
  registerRequestGuard(listed, { allowedHosts: ['seatctl.corp.example'], tokenless: false });
  listed.get('/v1/x', async () => ({ ok: true }));
  listed.get('/healthz', async () => ({ ok: true }));
  expect((await listed.inject({ method: 'GET', url: '/v1/x', headers: { host: 'seatctl.corp.example:443' } })).statusCode).toBe(200);
  expect((await listed.inject({ method: 'GET', url: '/v1/x', headers: { host: 'SEATCTL.corp.example' } })).statusCode).toBe(200);
  expect((await listed.inject({ method: 'GET', url: '/v1/x', headers: { host: 'other.example' } })).statusCode).toBe(421);
  // A token but an explicit list: loopback names are not implied.
  expect((await listed.inject({ method: 'GET', url: '/v1/x', headers: { host: '127.0.0.1' } })).statusCode).toBe(421);
  // Load balancers probe health by IP.
  expect((await listed.inject({ method: 'GET', url: '/healthz', headers: { host: '10.0.0.5:8080' } })).statusCode).toBe(200);

  const open = Fastify();
  registerRequestGuard(open, { allowedHosts: [], tokenless: false });
  open.get('/v1/x', async () => ({ ok: true }));
  expect((await open.inject({ method: 'GET', url: '/v1/x', headers: { host: 'any.example' } })).statusCode).toBe(200);
});
