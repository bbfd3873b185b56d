import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { createJobBodySchema } from '../../src/service/job-body.js';
import { startServiceEnv, TEST_TOKEN, type ServiceEnv } from '../support/service-env.js';
import { fcOptions, hostileString, logCases, rosterCsvArb } from './hostile-input.js';

/**
 * Generated POST /v1/jobs bodies through the real service (fastify inject): anything
 * at all, arbitrary JSON, and near-misses of valid job bodies of every kind (a review
 * with an inline roster among them). A body is accepted (202/200) only when the
 * schema accepts it; everything else is 400/413/415 with {error:{code,message}};
 * never a 5xx; and a refused body leaves the job list as it was.
 */
test.describe.configure({ mode: 'serial' });

let env: ServiceEnv;
test.beforeAll(async () => {
  env = await startServiceEnv();
});
test.afterAll(async () => env?.close());

const jobCount = async (): Promise<number> => {
  const r = await env.call('GET', '/v1/jobs?limit=500');
  expect(r.status).toBe(200);
  return (r.json.jobs as unknown[]).length;
};

interface Sent {
  status: number;
  json: any;
  text: string;
}

async function post(payload: string, contentType: string | null = 'application/json'): Promise<Sent> {
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

/** What the schema says about a payload (as the service would parse it). */
function schemaAccepts(payload: string): boolean {
  let value: unknown;
  try {
    // As fastify's parser does: a leading BOM is not part of the document.
    value = JSON.parse(payload.replace(/^\uFEFF/, ''));
  } catch {
    return false;
  }
  return createJobBodySchema.safeParse(value).success;
}

let stats = { accepted: 0, refused: 0, byStatus: {} as Record<number, number> };

/** The oracle every generated body goes through. */
async function check(payload: string, contentType: string | null = 'application/json'): Promise<void> {
  const before = await jobCount();
  const r = await post(payload, contentType);
  stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
  const shown = `${contentType} ${JSON.stringify(payload.slice(0, 400))}`;
  expect(r.status, `5xx for ${shown}: ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status === 200 || r.status === 202) {
    stats.accepted += 1;
    expect(contentType?.startsWith('application/json'), `accepted a non-JSON content type: ${shown}`).toBe(true);
    expect(schemaAccepts(payload), `accepted a body the schema refuses: ${shown}`).toBe(true);
    expect(typeof r.json?.job?.id).toBe('string');
    // Let it (and any job it spawns) settle, so the next refused body sees a still list.
    await env.service.idle();
    return;
  }
  stats.refused += 1;
  expect([400, 413, 415], `status ${r.status} for ${shown}: ${r.text.slice(0, 300)}`).toContain(r.status);
  expect(typeof r.json?.error?.code, `error shape for ${shown}: ${r.text.slice(0, 300)}`).toBe('string');
  expect(typeof r.json?.error?.message).toBe('string');
  expect(r.text).not.toMatch(/\n\s+at /);
  expect(await jobCount(), `a refused body changed the job list: ${shown}`).toBe(before);
}

// --------------------------------------------------------------------- near misses

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const FAR_FUTURE = '2999-01-01T00:00:00Z';
const VALID: Record<string, Json> = {
  offboard: { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true },
  people: { kind: 'offboard', people: [{ email: 'asmith@example.com', apps: ['sigma'] }], dryRun: true, idempotencyKey: 'hr-1' },
  provision: { kind: 'provision', email: 'new.person@example.com', firstName: 'New', lastName: 'Person', roles: { bigid: 'Viewer' }, teams: { sigma: ['Finance'] }, dryRun: true },
  setRole: { kind: 'set-role', email: 'asmith@example.com', roles: { sigma: 'Viewer' }, dryRun: true, runAt: FAR_FUTURE },
  review: { kind: 'review', apps: ['bigid'], roster: { csv: 'email,name,status\njdoe@example.com,John Doe,terminated\n', columns: { email: 'email' }, source: 'hr.csv' } },
};

const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, 0, -1, 1e308, '', [], {}, 'all', 'bigid', 'Viewer', 'delete', 'jdoе@example.com', 'JDOE@EXAMPLE.COM', 'x@y', '2020-01-01T00:00:00Z', FAR_FUTURE, '2026-12-01T10:00:00', ['bigid', 'bigid'], ['constructor'], ['slack'], { bigid: 'Admin' }, { constructor: 'Admin' }),
  hostileString(30),
  fc.integer(),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

type Mutation = { op: 'set'; path: string[]; value: Json } | { op: 'delete'; path: string[] } | { op: 'add'; path: string[]; key: string; value: Json };

function pathsOf(value: Json, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [prefix, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...prefix, k]))];
}

const nearMiss: fc.Arbitrary<string> = fc.constantFrom(...Object.keys(VALID)).chain((name) => {
  const base = VALID[name]!;
  const paths = pathsOf(base).filter((p) => p.length > 0);
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...paths), value: leaf }),
    fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...paths) }),
    fc.record({ op: fc.constant('add' as const), path: fc.constantFrom<string[]>(...paths, []), key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'password', 'token', 'dry_run', 'kind'), hostileString(10)), value: leaf }),
  );
  const rosterCsv = name === 'review' ? fc.option(rosterCsvArb, { nil: undefined }) : fc.constant(undefined);
  return fc.tuple(fc.array(mutation, { maxLength: 2 }), rosterCsv).map(([mutations, csv]) => {
    const doc = JSON.parse(JSON.stringify(base)) as Record<string, any>;
    if (csv !== undefined) doc.roster.csv = csv;
    for (const m of mutations) {
      const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
      let parent: any = doc;
      for (const k of parentPath) parent = parent?.[k];
      if (parent === null || typeof parent !== 'object') continue;
      if (m.op === 'set') parent[m.path.at(-1)!] = m.value;
      else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(Number(m.path.at(-1)), 1) : delete parent[m.path.at(-1)!];
      // A JSON key `__proto__` is an own property, as a client would send it.
      else Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    }
    return JSON.stringify(doc);
  });
});

test('valid bodies of every kind are accepted (the near-miss generator starts from these)', async () => {
  for (const body of Object.values(VALID)) {
    const r = await post(JSON.stringify(body));
    expect([200, 202], r.text).toContain(r.status);
    await env.service.idle();
  }
});

test('near misses of valid bodies (review rosters included)', async () => {
  test.setTimeout(240_000);
  stats = { accepted: 0, refused: 0, byStatus: {} };
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(nearMiss, async (payload) => {
      ran += 1;
      await check(payload);
    }),
    fcOptions(90),
  );
  logCases('http-bodies.spec.ts', 'near-miss job bodies', ran);
  console.log(`[hostile] near misses: ${JSON.stringify(stats)}`);
  expect(stats.accepted).toBeGreaterThan(10);
  expect(stats.refused).toBeGreaterThan(30);
});

test('anything at all, and arbitrary JSON', async () => {
  test.setTimeout(180_000);
  stats = { accepted: 0, refused: 0, byStatus: {} };
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
      await check(payload);
    }),
    fcOptions(40),
  );
  logCases('http-bodies.spec.ts', 'anything / arbitrary JSON', ran);
  console.log(`[hostile] anything: ${JSON.stringify(stats)}`);
});

test('transport tricks: content types, encodings, nesting, pollution keys and sizes', async () => {
  test.setTimeout(120_000);
  stats = { accepted: 0, refused: 0, byStatus: {} };
  let ran = 0;
  const ok = JSON.stringify(VALID.offboard);
  const cases: [string, string | null][] = [
    [ok, 'text/plain'],
    [ok, 'application/x-www-form-urlencoded'],
    [ok, null],
    [ok, 'application/json; charset=utf-16'],
    [ok, 'application/jsonp'],
    [ok, 'multipart/form-data; boundary=x'],
    ['', 'application/json'],
    ['null', 'application/json'],
    ['[]', 'application/json'],
    ['"offboard"', 'application/json'],
    ['{"kind":"offboard","email":"jdoe@example.com",}', 'application/json'],
    ['{"__proto__":{"isAdmin":true},"kind":"offboard","email":"jdoe@example.com"}', 'application/json'],
    ['{"constructor":{"prototype":{"isAdmin":true}},"kind":"offboard","email":"jdoe@example.com"}', 'application/json'],
    ['{"kind":"offboard","email":"jdoe@example.com","kind":"provision"}', 'application/json'],
    ['\ufeff' + ok, 'application/json'],
    ['['.repeat(5_000) + ']'.repeat(5_000), 'application/json'],
    ['{"a":'.repeat(3_000) + '1' + '}'.repeat(3_000), 'application/json'],
    [JSON.stringify({ ...(VALID.offboard as object), pad: 'x'.repeat(70_000) }), 'application/json'],
    [JSON.stringify({ kind: 'offboard', people: Array.from({ length: 1_001 }, (_, i) => ({ email: `p${i}@example.com`, apps: ['bigid'] })) }), 'application/json'],
    [JSON.stringify({ kind: 'review', apps: ['bigid'], roster: { csv: 'email,name,status\n' + 'a@b.co,A,active\n'.repeat(600_000) } }), 'application/json'],
    [JSON.stringify({ kind: 'review', apps: ['bigid'], roster: { csv: 'x'.repeat(8_000_001) } }), 'application/json'],
    [JSON.stringify({ kind: 'review', apps: ['bigid'], roster: { csv: '=cmd|\' /C calc\'!A0,"\u0000",\u202e\n' } }), 'application/json'],
  ];
  for (const [payload, type] of cases) {
    ran += 1;
    await check(payload, type);
  }
  // The same through the unauthenticated door: 401 before any body is read.
  const anon = await env.service.app.inject({ method: 'POST', url: '/v1/jobs', headers: { 'content-type': 'application/json' }, payload: ok });
  expect(anon.statusCode).toBe(401);
  console.log(`[hostile] http-bodies.spec.ts › transport tricks: ${ran} fixed cases (not generated, not counted)`);
  console.log(`[hostile] transport: ${JSON.stringify(stats)}`);
});

test('no job stored by the refused bodies is visible, and the service still works', async () => {
  const r = await env.call('GET', '/v1/jobs?limit=500');
  for (const job of r.json.jobs as { kind: string }[]) expect(['offboard', 'provision', 'set-role', 'review']).toContain(job.kind);
  expect((await env.call('GET', '/healthz')).status).toBe(200);
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'samlsam@example.com', apps: ['sigma'], dryRun: true });
  expect(created.status).toBe(202);
});
