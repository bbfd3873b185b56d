import { test, expect } from '@playwright/test';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Malformed job submissions: each is refused with 400 (413 when too large), an error
 * that names the field, and nothing stored.
 */
// One worker, in order: the last checks look at what the earlier ones left behind.
test.describe.configure({ mode: 'default' });
let env: ServiceEnv;
test.beforeAll(async () => {
  env = await startServiceEnv();
});
test.afterAll(async () => env.close());

const ok = { kind: 'offboard', email: 'jdoe@example.com' };
const cases: [string, unknown, string | null][] = [
  ['no kind', { email: 'jdoe@example.com' }, 'kind'],
  ['unknown kind', { ...ok, kind: 'nuke' }, 'kind'],
  ['kind not a string', { ...ok, kind: 7 }, 'kind'],
  ['no email', { kind: 'offboard' }, 'email'],
  ['email not an email', { ...ok, email: 'jdoe' }, 'email'],
  ['email a number', { ...ok, email: 42 }, 'email'],
  ['email with spaces', { ...ok, email: 'j doe@example.com' }, 'email'],
  ['email too long', { ...ok, email: `${'a'.repeat(320)}@example.com` }, 'email'],
  ['apps empty list', { ...ok, apps: [] }, 'apps'],
  ['apps a string other than all', { ...ok, apps: 'bigid' }, 'apps'],
  ['apps bad name', { ...ok, apps: ['BigID'] }, 'apps'],
  ['apps unknown app', { ...ok, apps: ['slack'] }, 'apps'],
  ['mode unknown', { ...ok, mode: 'shred' }, 'mode'],
  ['dryRun a string', { ...ok, dryRun: 'yes' }, 'dryRun'],
  ['requireApproval a number', { ...ok, requireApproval: 1 }, 'requireApproval'],
  ['unknown field', { ...ok, force: true }, null],
  ['typo in field', { ...ok, dry_run: true }, null],
  ['runAt not a date', { ...ok, runAt: 'tomorrow' }, 'runAt'],
  ['runAt without zone', { ...ok, runAt: '2026-12-01T10:00:00' }, 'runAt'],
  ['idempotencyKey empty', { ...ok, idempotencyKey: '' }, 'idempotencyKey'],
  ['idempotencyKey with spaces', { ...ok, idempotencyKey: 'a b' }, 'idempotencyKey'],
  ['provision without names', { kind: 'provision', email: 'x@example.com', roles: { bigid: 'Viewer' } }, 'firstName'],
  ['provision empty roles', { kind: 'provision', email: 'x@example.com', firstName: 'X', lastName: 'Y', roles: {} }, 'roles'],
  ['provision role not a string', { kind: 'provision', email: 'x@example.com', firstName: 'X', lastName: 'Y', roles: { bigid: 3 } }, 'roles'],
  ['provision unknown app', { kind: 'provision', email: 'x@example.com', firstName: 'X', lastName: 'Y', roles: { slack: 'Admin' } }, 'roles'],
  ['provision blank first name', { kind: 'provision', email: 'x@example.com', firstName: '  ', lastName: 'Y', roles: { bigid: 'Viewer' } }, 'firstName'],
  ['provision teams not a list', { kind: 'provision', email: 'x@example.com', firstName: 'X', lastName: 'Y', roles: { sigma: 'Viewer' }, teams: { sigma: 'Finance' } }, 'teams'],
  ['set-role without roles', { kind: 'set-role', email: 'x@example.com' }, 'roles'],
  ['set-role with mode', { kind: 'set-role', email: 'x@example.com', roles: { bigid: 'Viewer' }, mode: 'delete' }, null],
  ['body an array', [ok], null],
  ['body a string', '"offboard"', null],
  ['body null', 'null', null],
  ['not JSON', '{"kind": "offboard", ', null],
  ['secret-looking field', { ...ok, password: 'hunter2' }, null],
  ['offboard with both email and people', { ...ok, people: [{ email: 'a@example.com', apps: ['bigid'] }] }, 'email'],
  ['offboard people empty', { kind: 'offboard', people: [] }, 'people'],
  ['offboard people without apps', { kind: 'offboard', people: [{ email: 'a@example.com' }] }, 'people'],
  ['offboard people bad email', { kind: 'offboard', people: [{ email: 'nope', apps: ['bigid'] }] }, 'people'],
  ['offboard people listed twice', { kind: 'offboard', people: [{ email: 'a@example.com', apps: ['bigid'] }, { email: 'A@example.com', apps: ['sigma'] }] }, 'people.1.email'],
  ['offboard people unknown app', { kind: 'offboard', people: [{ email: 'a@example.com', apps: ['slack'] }] }, 'people'],
  ['offboard transferTo not an email', { ...ok, transferTo: 'the manager' }, 'transferTo'],
  ['offboard transferTo the leaver', { ...ok, transferTo: 'JDoe@example.com' }, 'transferTo'],
  ['offboard transferTo a leaver in people', { kind: 'offboard', people: [{ email: 'a@example.com', apps: ['bigid'] }], transferTo: 'a@example.com' }, 'transferTo'],
  ['offboard people unknown field', { kind: 'offboard', people: [{ email: 'a@example.com', apps: ['bigid'], role: 'x' }] }, null],
];

for (const [name, body, field] of cases) {
  test(`400: ${name}`, async () => {
    const r = await env.call('POST', '/v1/jobs', typeof body === 'string' ? body : body);
    expect(r.status, r.text).toBe(400);
    expect(r.json.error.code).toBeTruthy();
    if (field) expect(`${r.json.error.field ?? ''} ${r.json.error.message}`).toContain(field);
  });
}

test('413: a huge body', async () => {
  const r = await env.call('POST', '/v1/jobs', { ...ok, pad: 'x'.repeat(100_000) });
  expect(r.status).toBe(413);
});

test('nothing was stored by any of them', async () => {
  const list = await env.call('GET', '/v1/jobs');
  expect(list.json.jobs).toEqual([]);
});

test('bad list queries and ids are 400 or 404, never 500', async () => {
  expect((await env.call('GET', '/v1/jobs?status=nope')).status).toBe(400);
  expect((await env.call('GET', '/v1/jobs?limit=0')).status).toBe(400);
  expect((await env.call('GET', '/v1/jobs?cursor=%%%')).status).toBe(400);
  expect((await env.call('GET', '/v1/jobs/..%2F..')).status).toBeGreaterThanOrEqual(400);
  expect((await env.call('GET', '/v1/jobs/job_nope')).status).toBe(404);
  expect((await env.call('POST', '/v1/jobs/job_nope/approve', { planHash: 'a'.repeat(64) })).status).toBe(404);
  expect((await env.call('POST', '/v1/jobs/job_nope/approve', { planHash: 'short' })).status).toBe(400);
});
