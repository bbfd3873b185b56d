import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { groundTruth } from '../support/api-env.js';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';
import { documentedEmail, documentedIdempotencyKey, fcOptions, hostileString, logCases } from './hostile-input.js';

/**
 * POST /v1/jobs bodies through the real service (fastify inject), judged by a verdict
 * written down by hand from the documented API (docs/service.md, docs/openapi.json),
 * never by asking seatctl's own schema: each body has an expected HTTP status and, for
 * a 400, the field the error must name. A refused body stores no job (the job list is
 * the same, id for id) and no body sends anything to an app (every simulator's
 * mutation log stays empty: the accepted bodies are dry runs or scheduled far ahead).
 */
test.describe.configure({ mode: 'serial' });

let env: ServiceEnv;
test.beforeAll(async () => {
  env = await startServiceEnv();
});
test.afterAll(async () => env?.close());

const jobIds = async (): Promise<string[]> => {
  const r = await env.call('GET', '/v1/jobs?limit=500');
  expect(r.status).toBe(200);
  return (r.json.jobs as { id: string }[]).map((j) => j.id);
};

async function post(payload: string, contentType: string | null = 'application/json'): Promise<{ status: number; json: any; text: string }> {
  const res = await env.service.app.inject({
    method: 'POST',
    url: '/v1/jobs',
    headers: { authorization: `Bearer ${TEST_TOKEN}`, ...(contentType ? { 'content-type': contentType } : {}) },
    payload,
  });
  let json: unknown = null;
  try {
    json = JSON.parse(res.body);
  } catch {
    json = null;
  }
  return { status: res.statusCode, json, text: res.body };
}

/**
 * The verdict for one body. `status` 202 (a new job) or 200 (an existing job: same
 * idempotency key); 400 with `field` the JSON path the error names (`field: null` when
 * the fault is the body as a whole: not JSON, not an object, or an unknown key, which
 * `message` then names); 413 over the size limit.
 */
interface Verdict {
  status: number;
  /** Other statuses the documentation leaves open for this body (each still a refusal that stores nothing). */
  orStatus?: number[];
  /** For a 400: any of these paths (or a path under one) is a right answer; the first fault a validator meets may be either. */
  fields?: (string | null)[];
  /** For a 400 with `field: null`: a word the message must contain. */
  message?: string;
}

const ACCEPT: Verdict = { status: 202 };
const refused = (...fields: (string | null)[]): Verdict => ({ status: 400, fields });
const unknownKey = (key: string): Verdict => ({ status: 400, fields: [null], message: key });
const NOT_JSON: Verdict = { status: 400, orStatus: [415], fields: [null] };

let checked = 0;

/** What the service answered, in the verdict's terms, and whether anything was stored. */
async function outcome(payload: string, contentType: string | null, verdict: Verdict): Promise<Record<string, unknown>> {
  const before = await jobIds();
  const r = await post(payload, contentType);
  const after = await jobIds();
  checked += 1;
  if (r.status === 200 || r.status === 202) {
    // Let planning (and any job it spawns) settle, so the next body sees a still list.
    await env.service.idle();
    return { status: r.status, jobId: typeof r.json?.job?.id, stored: after.length - before.length };
  }
  const field: string | null = r.json?.error?.field ?? null;
  const namesField = (verdict.fields ?? []).some((f) => (f === null ? field === null || field === '(body)' : field === f || field?.startsWith(`${f}.`)));
  return {
    status: r.status,
    errorShape: [typeof r.json?.error?.code, typeof r.json?.error?.message],
    ...(r.status === 400 ? { namesField, field } : {}),
    ...(verdict.message ? { messageNames: String(r.json?.error?.message ?? '').includes(verdict.message) } : {}),
    stackTrace: /\n\s+at /.test(r.text),
    jobsUnchanged: JSON.stringify(after) === JSON.stringify(before),
  };
}

/** The outcome the verdict calls for, in the same shape as `outcome`. */
function expected(verdict: Verdict, actualField: unknown): Record<string, unknown> {
  if (verdict.status === 200) return { status: 200, jobId: 'string', stored: 0 };
  if (verdict.status === 202) return { status: 202, jobId: 'string', stored: 1 };
  return {
    status: verdict.status,
    errorShape: ['string', 'string'],
    ...(verdict.status === 400 ? { namesField: true, field: actualField } : {}),
    ...(verdict.message ? { messageNames: true } : {}),
    stackTrace: false,
    jobsUnchanged: true,
  };
}

async function check(name: string, payload: string, verdict: Verdict, contentType: string | null = 'application/json'): Promise<void> {
  const got = await outcome(payload, contentType, verdict);
  const open = verdict.orStatus?.includes(got.status as number) ? { ...verdict, status: got.status as number } : verdict;
  expect(got, `${name}: ${JSON.stringify(payload.slice(0, 300))} (expected ${JSON.stringify(verdict)})`).toEqual(expected(open, got.field));
}

// ------------------------------------------------------------------ the hand-written table

const FAR_FUTURE = '2999-01-01T00:00:00Z';
const off = { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true };
const prov = { kind: 'provision', email: 'new.person@example.com', firstName: 'New', lastName: 'Person', roles: { bigid: 'Viewer' }, dryRun: true };
const setRole = { kind: 'set-role', email: 'asmith@example.com', roles: { sigma: 'Viewer' }, runAt: FAR_FUTURE };
const ROSTER_OK = 'email,name,status\njdoe@example.com,John Doe,terminated\n';
const rev = { kind: 'review', apps: ['bigid'], roster: { csv: ROSTER_OK } };

/** [name, body, verdict]: each verdict read off docs/service.md and docs/openapi.json. */
const TABLE: [string, unknown, Verdict][] = [
  // Accepted: the documented shapes.
  ['offboard, one person', off, ACCEPT],
  ['offboard, apps "all"', { ...off, apps: 'all' }, ACCEPT],
  ['offboard, several people', { kind: 'offboard', people: [{ email: 'asmith@example.com', apps: ['sigma'] }, { email: 'jdoe@example.com', apps: ['bigid', 'sigma'] }], dryRun: true }, ACCEPT],
  ['offboard, mode delete', { ...off, mode: 'delete' }, ACCEPT],
  ['offboard, plus-tagged address', { ...off, email: "o'brien+hr@example.com" }, ACCEPT],
  ['offboard with an idempotency key', { ...off, idempotencyKey: 'hr-ticket-42' }, ACCEPT],
  ['the same idempotency key again: the existing job', { ...off, idempotencyKey: 'hr-ticket-42' }, { status: 200 }],
  ['provision', prov, ACCEPT],
  ['provision with teams', { ...prov, email: 'other.person@example.com', roles: { sigma: 'Viewer' }, teams: { sigma: ['Finance'] } }, ACCEPT],
  ['set-role, scheduled', setRole, ACCEPT],
  ['review, no roster', { kind: 'review' }, ACCEPT],
  ['review with roster, columns and source', { ...rev, roster: { csv: 'Work Email,name,status\njdoe@example.com,John Doe,active\n', columns: { email: 'Work Email' }, source: 'hr.csv' } }, ACCEPT],
  // Refused: the field named.
  ['no kind', { email: 'jdoe@example.com' }, refused('kind')],
  ['unknown kind', { ...off, kind: 'terminate' }, refused('kind')],
  ['email without a domain', { ...off, email: 'jdoe' }, refused('email')],
  ['email with a Cyrillic letter', { ...off, email: 'jdoе@example.com' }, refused('email')],
  ['email with two dots in a row', { ...off, email: 'j..doe@example.com' }, refused('email')],
  ['email with markup', { ...off, email: '<b>@example.com' }, refused('email')],
  ['email over 320 characters', { ...off, email: `${'a'.repeat(310)}@example.com` }, refused('email')],
  ['email not a string', { ...off, email: ['jdoe@example.com'] }, refused('email')],
  ['apps empty', { ...off, apps: [] }, refused('apps')],
  ['apps upper case', { ...off, apps: ['BigID'] }, refused('apps')],
  ['apps not configured', { ...off, apps: ['slack'] }, refused('apps')],
  ['mode unknown', { ...off, mode: 'purge' }, refused('mode')],
  ['dryRun a string', { ...off, dryRun: 'true' }, refused('dryRun')],
  ['requireApproval a number', { ...off, requireApproval: 0 }, refused('requireApproval')],
  ['idempotencyKey with a space', { ...off, idempotencyKey: 'hr ticket' }, refused('idempotencyKey')],
  ['idempotencyKey over 200', { ...off, idempotencyKey: 'k'.repeat(201) }, refused('idempotencyKey')],
  ['runAt without a zone', { ...off, runAt: '2026-12-01T10:00:00' }, refused('runAt')],
  ['runAt not a date', { ...off, runAt: 'next friday' }, refused('runAt')],
  ['people empty', { kind: 'offboard', people: [], dryRun: true }, refused('people')],
  ['people over 1,000', { kind: 'offboard', people: Array.from({ length: 1_001 }, (_, i) => ({ email: `p${i}@example.com`, apps: ['bigid'] })) }, refused('people')],
  ['person without apps', { kind: 'offboard', people: [{ email: 'asmith@example.com' }] }, refused('people')],
  ['person with a bad email', { kind: 'offboard', people: [{ email: 'asmith', apps: ['bigid'] }] }, refused('people')],
  ['provision without lastName', { ...prov, lastName: undefined }, refused('lastName')],
  ['provision firstName over 200', { ...prov, firstName: 'n'.repeat(201) }, refused('firstName')],
  ['provision roles keyed by a bad app name', { ...prov, roles: { BigID: 'Viewer' } }, refused('roles')],
  ['provision teams not a list', { ...prov, teams: { sigma: 'Finance' } }, refused('teams')],
  ['set-role without roles', { kind: 'set-role', email: 'asmith@example.com' }, refused('roles')],
  ['review includeInactive a string', { ...rev, includeInactive: 'yes' }, refused('includeInactive')],
  ['review offboardOrphans a number', { ...rev, offboardOrphans: 1 }, refused('offboardOrphans')],
  ['review roster.csv empty', { ...rev, roster: { csv: '' } }, refused('roster')],
  ['review roster a string', { ...rev, roster: ROSTER_OK }, refused('roster')],
  ['review roster with a bad status', { ...rev, roster: { csv: 'email,name,status\njdoe@example.com,John Doe,fired\n' } }, refused('roster')],
  ['review roster.source over 200', { ...rev, roster: { csv: ROSTER_OK, source: 's'.repeat(201) } }, refused('roster')],
  // Unknown keys are refused (a typo must never become a default); the message names the key.
  ['offboard with dry_run', { ...off, dry_run: false }, unknownKey('dry_run')],
  ['offboard with a password', { ...off, password: 'hunter2' }, unknownKey('password')],
  ['review with dryRun (not a review option)', { ...rev, dryRun: true }, unknownKey('dryRun')],
  ['set-role with mode', { ...setRole, mode: 'delete' }, unknownKey('mode')],
  // The body as a whole.
  ['an array', [off], refused(null)],
  ['a string', 'offboard', refused(null)],
  ['null', null, refused(null)],
];

test('http bodies #1: every body in the hand-written table gets its documented verdict, and a refused one stores nothing', async () => {
  for (const [name, body, verdict] of TABLE) await check(name, JSON.stringify(body), verdict);
});

test('http bodies #2: transport tricks, sizes and malformed JSON get their documented verdicts', async () => {
  test.setTimeout(120_000);
  const ok = JSON.stringify(off);
  const cases: [string, string, string | null, Verdict][] = [
    // Not JSON: the API takes application/json only. docs/service.md lists no 415 and
    // does not say which refusal a content type gets (the service answers 400 for some
    // and 415 for others): either, about the body as a whole, and never a job.
    ['text/plain', ok, 'text/plain', NOT_JSON],
    ['form-urlencoded', ok, 'application/x-www-form-urlencoded', NOT_JSON],
    ['no content type', ok, null, NOT_JSON],
    ['multipart', ok, 'multipart/form-data; boundary=x', NOT_JSON],
    // JSON that does not parse: a 400 about the body as a whole.
    ['empty body', '', 'application/json', refused(null)],
    ['trailing comma', '{"kind":"offboard","email":"jdoe@example.com",}', 'application/json', refused(null)],
    ['cut short', '{"kind": "offboard", ', 'application/json', refused(null)],
    // Prototype pollution keys: the body is refused as a whole before anything reads it.
    ['__proto__ key', '{"__proto__":{"isAdmin":true},"kind":"offboard","email":"jdoe@example.com","dryRun":true}', 'application/json', refused(null)],
    ['constructor key', '{"constructor":{"prototype":{"isAdmin":true}},"kind":"offboard","email":"jdoe@example.com","dryRun":true}', 'application/json', refused(null)],
    // Deep nesting is refused, not a stack overflow.
    ['5,000 nested arrays', '['.repeat(5_000) + ']'.repeat(5_000), 'application/json', refused(null)],
    // Sizes: 64 KiB for a job body, 9 MiB for a review with a roster, whose CSV may be 8,000,000 characters.
    ['offboard over 64 KiB', JSON.stringify({ ...off, pad: 'x'.repeat(70_000) }), 'application/json', { status: 413 }],
    ['roster of 8,000,001 characters', JSON.stringify({ ...rev, roster: { csv: 'x'.repeat(8_000_001) } }), 'application/json', refused('roster')],
    ['review over 9 MiB', JSON.stringify({ ...rev, roster: { csv: 'email,name,status\n' + 'a@b.co,A,active\n'.repeat(600_000) } }), 'application/json', { status: 413 }],
    // A leading byte-order mark is not part of the JSON text: the body is the valid one.
    ['BOM then a valid body', '\ufeff' + ok, 'application/json', ACCEPT],
  ];
  for (const [name, payload, type, verdict] of cases) await check(name, payload, verdict, type);
  // The unauthenticated door: 401 before any body is read, nothing stored.
  const before = await jobIds();
  const anon = await env.service.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: ok });
  expect([anon.statusCode, await jobIds()]).toEqual([401, before]);
});

// ------------------------------------------------------------------ generated near misses

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** One change to the valid offboarding body, with the field it breaks (null: still valid) by the documented rule. */
interface Change {
  key: string;
  value: Json;
  /** `undefined`: the body stays valid; a string: that field is named; null: an unknown key (the message names `key`) or a refused body. */
  breaks: string | null | undefined;
}

const KNOWN_KEYS = ['kind', 'email', 'people', 'apps', 'mode', 'dryRun', 'requireApproval', 'idempotencyKey', 'runAt'];
const CONFIGURED_APPS = ['bigid', 'sigma'];

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.oneof(hostileString(30), fc.stringMatching(/^[a-z.'+_-]{1,12}@[a-z]{1,8}\.[a-z]{1,4}$/)).map((v) => ({ key: 'email', value: v, breaks: documentedEmail(v) ? undefined : 'email' })),
  fc.oneof(hostileString(30), fc.stringMatching(/^[\x21-\x7e]{1,24}$/)).map((v) => ({ key: 'idempotencyKey', value: v, breaks: documentedIdempotencyKey(v) ? undefined : 'idempotencyKey' })),
  fc.constantFrom('deactivate', 'delete', 'Delete', '', ' delete', 'archive').map((v) => ({ key: 'mode', value: v, breaks: v === 'deactivate' || v === 'delete' ? undefined : 'mode' })),
  fc.uniqueArray(fc.oneof(fc.constantFrom('bigid', 'sigma', 'slack', 'BigID', 'all', ''), hostileString(8)), { maxLength: 3 }).map((v) => ({ key: 'apps', value: v, breaks: v.length >= 1 && v.every((a) => CONFIGURED_APPS.includes(a)) ? undefined : 'apps' })),
  // Never `dryRun: false`: valid, but it would offboard jdoe for real.
  fc.oneof(fc.constant<Json>(true), (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>).filter((v) => v !== false)).map((v) => ({ key: 'dryRun', value: v, breaks: v === true ? undefined : 'dryRun' })),
  (fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>).map((v) => ({ key: 'requireApproval', value: v, breaks: typeof v === 'boolean' ? undefined : 'requireApproval' })),
  fc.oneof(fc.stringMatching(/^[a-z_]{1,12}$/).filter((k) => !KNOWN_KEYS.includes(k)), fc.constantFrom('password', 'token', 'dry_run', 'constructor')).map((k) => ({ key: k, value: 1, breaks: null })),
);

/** A valid dry-run offboarding with one or two different fields changed, and its verdict. */
const nearMiss = fc.uniqueArray(change, { minLength: 1, maxLength: 2, selector: (c) => c.key }).map((changes) => {
  const body: Record<string, Json> = { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true };
  for (const c of changes) body[c.key] = c.value;
  const broken = changes.filter((c) => c.breaks !== undefined);
  return { payload: JSON.stringify(body), changes, broken };
});

test('http bodies #3: generated near misses of a valid body get the verdict the documented rules give', async () => {
  test.setTimeout(240_000);
  const usedKeys = new Set<string>(['hr-ticket-42']);
  const seen: Record<string, number> = {};
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(nearMiss, async ({ payload, changes, broken }) => {
      ran += 1;
      const key = changes.find((c) => c.key === 'idempotencyKey')?.value as string | undefined;
      const verdict: Verdict =
        broken.length > 0
          ? { status: 400, fields: broken.map((c) => c.breaks!), ...(broken.length === 1 && broken[0]!.breaks === null ? { message: broken[0]!.key } : {}) }
          : { status: key !== undefined && usedKeys.has(key) ? 200 : 202 };
      if (verdict.status === 202 && key !== undefined) usedKeys.add(key);
      seen[verdict.status] = (seen[verdict.status] ?? 0) + 1;
      await check(changes.map((c) => c.key).join('+'), payload, verdict);
    }),
    fcOptions(120),
  );
  logCases('http-bodies.spec.ts', 'near-miss job bodies', ran);
  console.log(`[hostile] near misses by expected status: ${JSON.stringify(seen)}`);
  // Both sides came up often: the property is not vacuous.
  expect(seen[202]).toBeGreaterThan(10);
  expect(seen[400]).toBeGreaterThan(30);
});

/**
 * The verdict for an arbitrary payload by the documented rules: not JSON, or JSON that
 * is not an object, is refused as a whole; an object whose `kind` is none of the four
 * is refused naming `kind` (or as a whole, when it carries a key JSON parsing refuses).
 */
function arbitraryVerdict(payload: string): Verdict {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return refused(null);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return refused(null);
  const kind = (value as Record<string, unknown>)['kind'];
  if (['offboard', 'provision', 'set-role', 'review'].includes(kind as string)) throw new Error(`no verdict written for a body of kind ${String(kind)}: ${payload.slice(0, 200)}`);
  return refused('kind', null);
}

test('http bodies #4: anything at all, and arbitrary JSON, is refused by the documented rules', async () => {
  test.setTimeout(180_000);
  let ran = 0;
  const anything = fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true, withSparseArray: true }).map((v) => {
    try {
      return JSON.stringify(v) ?? '';
    } catch {
      return '';
    }
  });
  await fc.assert(
    fc.asyncProperty(fc.oneof(anything, fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 200 })), async (payload) => {
      ran += 1;
      await check('arbitrary', payload, arbitraryVerdict(payload));
    }),
    fcOptions(60),
  );
  logCases('http-bodies.spec.ts', 'anything / arbitrary JSON', ran);
});

test('http bodies #5: nothing any body did reached an app, and the service still works', async () => {
  // Accepted bodies were dry runs or scheduled for 2999: no simulator applied anything.
  for (const sim of [env.bigid, env.sigma]) expect((await groundTruth<{ mutations: unknown[] }>(sim.stateUrl)).mutations).toEqual([]);
  expect((await env.call('GET', '/healthz')).status).toBe(200);
  const before = await jobIds();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'samlsam@example.com', apps: ['sigma'], dryRun: true });
  expect(created.status).toBe(202);
  expect(await jobIds()).toEqual([created.json.job.id, ...before]);
  console.log(`[hostile] http-bodies.spec.ts: ${checked} bodies checked against written verdicts`);
});
