import { test, expect } from '@playwright/test';
import { createTokenPrincipals } from '../../src/auth/token-principals.js';
import { resolveTokenPrincipals } from '../../src/auth/service-principals.js';
import type { SecretResolver } from '../../src/config/secret-ref.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue 13 item 1 (principals): the service knows who calls. Each configured principal
 * has roles and its own token; the route decides what it may do, and the audit chain
 * and job record name the caller instead of "api".
 */
test.describe.configure({ mode: 'serial' });

const TOKENS = { alice: 'alice-requester-token-0001', bob: 'bob-approver-token-000002', carol: 'carol-auditor-token-00003' };
const as = (who: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[who]}` });
let env: ServiceEnv;

test.beforeAll(async () => {
  env = await startServiceEnv({
    principals: [
      { name: 'alice', roles: ['requester'], token: TOKENS.alice },
      { name: 'bob', roles: ['approver'], token: TOKENS.bob },
      { name: 'carol', roles: ['auditor'], token: TOKENS.carol },
    ],
  });
});
test.afterAll(async () => env?.close());

test('a requester submits and the job and its audit chain name them', async () => {
  const r = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true }, as('alice'));
  expect(r.status, r.text).toBe(202);
  await env.waitFor(r.json.job.id, ['planned', 'succeeded']);
  const stored = await env.service.engine.process(r.json.job.id);
  expect(stored.meta.requestedBy).toBe('token:alice');
  expect((await env.call('GET', `/v1/jobs/${r.json.job.id}`, undefined, as('carol'))).json.job.requestedBy).toBe('token:alice');
});

test('roles decide the route: requester cannot approve or cancel, auditor cannot change anything, approver cannot submit', async () => {
  const job = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true }, as('alice'));
  expect(job.status).toBe(202);
  const waiting = await env.waitFor(job.json.job.id, ['awaiting_approval']);
  const hash = (await env.call('GET', `/v1/jobs/${waiting.id}`, undefined, as('carol'))).json.job.planHash;
  expect(hash).toMatch(/^[0-9a-f]{64}$/);

  for (const [who, method, url, body] of [
    ['alice', 'POST', `/v1/jobs/${waiting.id}/approve`, { planHash: hash }],
    ['alice', 'POST', `/v1/jobs/${waiting.id}/cancel`, {}],
    ['carol', 'POST', '/v1/jobs', { kind: 'offboard', email: 'x@example.com', apps: ['bigid'] }],
    ['carol', 'POST', `/v1/jobs/${waiting.id}/approve`, { planHash: hash }],
    ['carol', 'POST', `/v1/jobs/${waiting.id}/undo`, {}],
    ['bob', 'POST', '/v1/jobs', { kind: 'offboard', email: 'x@example.com', apps: ['bigid'] }],
  ] as const) {
    const r = await env.call(method, url, body, as(who));
    expect(r.status, `${who} ${method} ${url}`).toBe(403);
    expect(r.json.error.code).toBe('FORBIDDEN');
  }
  // Refused calls changed nothing.
  expect((await env.call('GET', `/v1/jobs/${waiting.id}`, undefined, as('carol'))).json.job.status).toBe('awaiting_approval');
  // Everyone may read.
  for (const who of ['alice', 'bob', 'carol'] as const) expect((await env.call('GET', '/v1/jobs', undefined, as(who))).status).toBe(200);

  const approved = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: hash }, as('bob'));
  expect(approved.status, approved.text).toBe(200);
  const done = await env.waitFor(waiting.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  const stored = await env.service.engine.process(waiting.id);
  expect(stored.approvedBy).toBe('token:bob');
});

test('an unknown or empty bearer token is 401, never a principal', async () => {
  for (const authorization of ['Bearer nobody-has-this-token-0000', 'Bearer ', `Bearer ${TOKENS.alice}x`, `Basic ${TOKENS.alice}`]) {
    const r = await env.call('GET', '/v1/jobs', undefined, { authorization });
    expect(r.status, authorization).toBe(401);
  }
});

test('token principals match only their own token and keep no token in the clear', () => {
  const tokens = createTokenPrincipals([
    { name: 'a', roles: ['requester'], token: 'token-aaaaaaaaaaaaaaaa' },
    { name: 'b', roles: ['approver'], token: 'token-bbbbbbbbbbbbbbbb' },
  ]);
  expect(tokens.match('token-aaaaaaaaaaaaaaaa')?.id).toBe('token:a');
  expect(tokens.match('token-bbbbbbbbbbbbbbbb')?.roles).toEqual(['approver']);
  expect(tokens.match('token-aaaaaaaaaaaaaaa')).toBeNull();
  expect(tokens.match('')).toBeNull();
  expect(JSON.stringify(tokens)).not.toContain('token-aaaa');
});

test('serve-time checks: short tokens and a token shared by two principals are refused, naming the field', () => {
  const values: Record<string, string> = { 'env:A': 'long-enough-token-0001', 'env:B': 'long-enough-token-0001', 'env:S': 'short' };
  const resolver: SecretResolver = { resolve: (ref) => values[ref]! };
  expect(() => resolveTokenPrincipals(resolver, [{ name: 'x', kind: 'person', roles: ['auditor'], token: 'env:S' }], undefined)).toThrow(/service\.principals\.0\.token: the token must be at least 16/);
  expect(() =>
    resolveTokenPrincipals(resolver, [{ name: 'x', kind: 'person', roles: ['auditor'], token: 'env:B' }], { ref: 'env:A', field: 'service.token' }),
  ).toThrow(/service\.principals\.0\.token: the same token/);
  const ok = resolveTokenPrincipals(resolver, [{ name: 'x', kind: 'person', roles: ['auditor'], token: 'env:A' }], undefined);
  expect(ok.size).toBe(1);
});
