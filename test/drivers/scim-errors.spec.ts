import { expect, test } from '@playwright/test';
import { scimError } from '../../src/drivers/scim/scim-error.js';

/**
 * SCIM error bodies (RFC 7644 §3.12) to typed errors: the status decides as for every
 * HTTP API, except 401 (a static token: AUTH_FAILED) and "not offered" answers (501,
 * 405, or a refusal whose detail says not enabled/supported), which are UNSUPPORTED so
 * a route can hand the operation to the app's next driver. A pure function: the
 * responses below are what the servers in the other scim specs send.
 */
const body = (status: number, detail: string, scimType?: string) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: String(status), ...(scimType ? { scimType } : {}), detail });
const answer = (status: number, b: unknown, headers: Record<string, string> = {}) => scimError('acme', 'PATCH /Users/1', { status, headers, body: b });

test('each status gets its code; scimType and detail are in the message and details', () => {
  const cases: [number, unknown, string][] = [
    [401, body(401, 'a valid bearer token is required'), 'AUTH_FAILED'],
    [403, body(403, 'insufficient scope'), 'FORBIDDEN'],
    [404, body(404, 'Resource 1 not found'), 'USER_NOT_FOUND'],
    [409, body(409, 'userName taken', 'uniqueness'), 'CONFLICT'],
    [412, body(412, 'version mismatch'), 'UPSTREAM_REJECTED'],
    [429, body(429, 'slow down'), 'RATE_LIMITED'],
    [500, body(500, 'boom'), 'UPSTREAM_UNAVAILABLE'],
    [503, { error: 'Service Unavailable (injected)' }, 'UPSTREAM_UNAVAILABLE'],
    [501, body(501, "Method 'degress' not implemented by resource 'User'"), 'UNSUPPORTED'],
    [405, 'Method Not Allowed', 'UNSUPPORTED'],
    [403, body(403, 'SCIM provisioning is not enabled for this organization'), 'UNSUPPORTED'],
    [400, body(400, 'PATCH is not supported for Groups', 'invalidSyntax'), 'UNSUPPORTED'],
    [400, body(400, "Unexpected token 'x\"' in filter", 'invalidFilter'), 'UPSTREAM_REJECTED'],
  ];
  expect(cases.map(([status, b]) => [status, answer(status, b).code])).toEqual(cases.map(([status, , code]) => [status, code]));

  const filter = answer(400, body(400, 'bad filter', 'invalidFilter'));
  expect(filter.message).toBe('acme: PATCH /Users/1 returned 400 (invalidFilter): bad filter');
  expect(filter.details).toEqual({ app: 'acme', status: 400, scimType: 'invalidFilter' });
  expect(answer(401, body(401, 'no')).retryClass).toBe('permanent');
  expect(answer(429, body(429, 'later'), { 'retry-after': '3' }).retryAfterMs).toBe(3000);
});
