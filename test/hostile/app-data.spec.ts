import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { parseCsv } from '../../src/review/csv-parse.js';
import { renderReview } from '../../src/review/review-output.js';
import { runReview } from '../../src/review/run-review.js';
import { offboardRequestSchema, type ReviewRequest } from '../../src/model/index.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { fcOptions, hostileString, logCases } from './hostile-input.js';

/**
 * Accounts with hostile data, put straight into the BigID and Sigma simulators the way
 * a compromised or careless app would hold them: names with markup, control
 * characters, bidi overrides and 5,000 characters, emails with markup and formula
 * prefixes, and a look-alike of a real person's address (Cyrillic "е" in "jdoе").
 * Offboarding jobs and access reviews complete; the HTML escapes everything, the CSV
 * is formula-safe, and the look-alike is never taken for the real person.
 */
test.describe.configure({ mode: 'serial' });

const REAL = 'jdoe@example.com';
const LOOKALIKE = 'jdoе@example.com'; // U+0435 CYRILLIC SMALL LETTER IE
const ROSTER = `email,name,status\n${REAL},John Doe,active\nasmith@example.com,Alice Smith,terminated\n`;
const FORMULA_START = /^[=+\-@\t\r]/;

let env: ServiceEnv;
let counter = 0;
let sigmaOrg = '';

function insertBigId(first: string, last: string, email: string): string {
  counter += 1;
  const now = new Date().toISOString();
  return env.bigid.store.insert({ name: `hostile-${counter}`, firstName: first, lastName: last, email, role: 'Viewer', isEnabled: true, origin: 'local', createdAt: now, updatedAt: now, password: `pw-${counter}-x` }).id;
}

function insertSigma(first: string, last: string, email: string): string {
  const now = new Date().toISOString();
  const memberId = env.sigma.store.newId();
  env.sigma.store.insertSeeded({ memberId, email, firstName: first, lastName: last, memberType: 'Viewer', organizationId: sigmaOrg, isAdmin: false, isArchived: false, profileImgUrl: null, createdAt: now, updatedAt: now, createdBy: 'seed', updatedBy: 'seed' });
  return memberId;
}

test.beforeAll(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 1_000 } });
  sigmaOrg = env.sigma.store.allMembers()[0]!.organizationId;
  // The look-alike of jdoe, in both apps, active: an account nobody in HR owns.
  insertBigId('John', 'Doe', LOOKALIKE);
  insertSigma('John', 'Doe', LOOKALIKE);
});
test.afterAll(async () => env?.close());

const review = (roster = ROSTER): ReviewRequest => ({ kind: 'review', apps: 'all', includeInactive: true, offboardOrphans: false, roster: { csv: roster, source: 'hr.csv' } });

function checkHtml(html: string, where: string): void {
  const lower = html.toLowerCase();
  // Escaped markup (&lt;img …) is text; a raw tag would be an element.
  for (const tag of ['<script', '<img', '<svg', '<iframe', '<a ', '<object']) expect(lower.includes(tag), `${where}: raw ${tag} in the HTML`).toBe(false);
}

function checkCsv(csv: string, where: string): number {
  const { rows } = parseCsv(csv);
  // One expect for all cells: Playwright's expect is too slow to call per cell.
  const unsafe = rows.flat().filter((cell) => FORMULA_START.test(cell));
  expect(unsafe.map((c) => c.slice(0, 60)), `${where}: formula-looking cells`).toEqual([]);
  return rows.length;
}

const person = fc.record({
  first: fc.oneof(hostileString(40), fc.constant('n'.repeat(5_000)), fc.constant('<img src=x onerror=alert(1)>')),
  last: fc.oneof(hostileString(40), fc.constant('\u202eevil.exe'), fc.constant('=HYPERLINK("http://evil.example","x")')),
  local: fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/),
    fc.constantFrom('<img src=x onerror=alert(1)>', '=cmd|calc', '+1', '-1', '@x', '"quoted"', 'tab\there', 'jdoе', 'JDOE', 'bell\u0007', '\u202ereversed'),
  ),
  apps: fc.constantFrom<string[]>(['bigid'], ['sigma'], ['bigid', 'sigma']),
});

test('a review and an offboarding over generated hostile accounts: no crash, escaped HTML, formula-safe CSV', async () => {
  test.setTimeout(300_000);
  let ran = 0;
  const jobs: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 4 }), async (people) => {
      ran += 1;
      const emails: { email: string; apps: string[]; plain: boolean }[] = [];
      for (const p of people) {
        counter += 1;
        const email = `${p.local}.${counter}@example.com`;
        if (p.apps.includes('bigid')) insertBigId(p.first, p.last, email);
        if (p.apps.includes('sigma')) insertSigma(p.first, p.last, email);
        emails.push({ email, apps: p.apps, plain: offboardRequestSchema.safeParse({ kind: 'offboard', email }).success });
      }

      // The review, as the CLI and the engine run it, in every format.
      const { result, summary } = await runReview(env.runtime, review());
      expect(summary.complete, JSON.stringify(summary.apps)).toBe(true);
      for (const e of emails) for (const app of e.apps) expect(result.rows.some((r) => r.app === app && r.email === e.email), `${e.email} missing from ${app}`).toBe(true);
      const html = renderReview(result, 'html');
      checkHtml(html, `review of ${JSON.stringify(people).slice(0, 200)}`);
      const csvRows = checkCsv(renderReview(result, 'csv'), 'review CSV');
      expect(csvRows).toBe(result.reconciliation!.rows.length + 1);
      expect(() => JSON.parse(renderReview(result, 'json'))).not.toThrow();
      // The look-alike is never the real person: not in the roster, so orphaned (it has access).
      for (const row of result.reconciliation!.rows.filter((r) => r.email === LOOKALIKE)) {
        expect(row.verdict).toBe('orphaned');
        expect(row.person).toBeNull();
      }

      // An offboarding job over the service for one of them, then its report.
      const target = emails.find((e) => e.plain);
      if (target) {
        const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: target.email, apps: target.apps });
        expect(created.status, created.text).toBe(202);
        const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
        for (const t of job.tasks) jobs[`${t.outcome}${t.error ? `:${t.error.code}` : ''}`] = (jobs[`${t.outcome}${t.error ? `:${t.error.code}` : ''}`] ?? 0) + 1;
        for (const t of job.tasks) expect(['changed', 'noop', 'failed'], JSON.stringify(t)).toContain(t.outcome);
        const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
        expect(report.status).toBe(200);
        checkHtml(report.text, `report of ${target.email}`);
      } else {
        // Not a schema-valid address: the service refuses it cleanly.
        const refused = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: emails[0]!.email, apps: emails[0]!.apps });
        expect(refused.status, refused.text).toBe(400);
      }
    }),
    fcOptions(40),
  );
  logCases('app-data.spec.ts', 'hostile accounts', ran);
  console.log(`[hostile] offboarding task outcomes: ${JSON.stringify(jobs)}`);
});

test('offboarding the real person leaves the look-alike account alone', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: REAL, apps: ['bigid', 'sigma'] });
  expect(created.status).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status, JSON.stringify(job.tasks)).toBe('succeeded');
  expect(env.bigid.store.findByEmail(REAL)!.isEnabled).toBe(false);
  expect(env.bigid.store.findByEmail(LOOKALIKE)!.isEnabled).toBe(true);
  expect(env.sigma.store.findByEmail(LOOKALIKE)!.isArchived).toBe(false);
  // And the look-alike address is not even a valid request: zod's email check is ASCII.
  expect((await env.call('POST', '/v1/jobs', { kind: 'offboard', email: LOOKALIKE })).status).toBe(400);
});

test("a roster row with the look-alike address does not vouch for the real person's account", async () => {
  const roster = `email,name,status\n${LOOKALIKE},John Doe,active\n`;
  const { result } = await runReview(env.runtime, review(roster));
  const real = result.reconciliation!.rows.filter((r) => r.email.toLowerCase() === REAL && r.verdict !== 'missing');
  expect(real.length).toBeGreaterThan(0);
  for (const row of real) {
    expect(row.verdict, JSON.stringify(row)).not.toBe('active_ok');
    expect(row.person).toBeNull();
  }
  // The look-alike accounts are the ones the roster row matches.
  for (const row of result.reconciliation!.rows.filter((r) => r.email === LOOKALIKE && r.verdict !== 'missing')) expect(row.verdict).toBe('active_ok');
});

test('a review job over the service writes escaped, formula-safe files', async () => {
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', apps: 'all', includeInactive: true, roster: { csv: ROSTER } });
  expect(created.status, created.text).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status).toBe(200);
  checkHtml(report.text, 'review job report');
  const csv = await env.call('GET', `/v1/jobs/${job.id}/artifacts/review.csv`);
  expect(csv.status).toBe(200);
  expect(checkCsv(csv.text, 'review.csv')).toBeGreaterThan(10);
});
