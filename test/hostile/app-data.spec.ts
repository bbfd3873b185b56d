import { test, expect } from '@playwright/test';
import fc from 'fast-check';
import { parseCsv } from '../../src/review/csv-parse.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReconciledRow } from '../../src/review/reconcile.js';
import { runReview } from '../../src/review/run-review.js';
import type { ReviewRequest } from '../../src/model/index.js';
import { groundTruth } from '../support/api-env.js';
import { accountId, expectedRows, truthAccounts, type ReviewApp, type RosterPerson, type TruthAccount } from '../support/review-truth.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { documentedEmail, fcOptions, hostileString, logCases } from './hostile-input.js';

/**
 * Accounts with hostile data, put straight into the BigID and Sigma simulators the way
 * a compromised or careless app would hold them: names with markup, control
 * characters, bidi overrides and 5,000 characters, emails with markup and formula
 * prefixes, and a look-alike of a real person's address (Cyrillic "е" in "jdoе").
 * Every case has one right outcome, decided before it runs: a review lists exactly the
 * accounts the simulators hold with the verdicts docs/access-review.md gives them; an
 * offboarding of an address the API accepts succeeds and leaves exactly that account
 * disabled (BigID) or archived (Sigma) by one mutating request per app; an address the
 * documented pattern refuses is a 400 USAGE naming `email`, with nothing stored or sent.
 */
test.describe.configure({ mode: 'serial' });

const REAL = 'jdoe@example.com';
const LOOKALIKE = 'jdoе@example.com'; // U+0435 CYRILLIC SMALL LETTER IE
const ROSTER = `email,name,status\n${REAL},John Doe,active\nasmith@example.com,Alice Smith,terminated\n`;
const ROSTER_PEOPLE: RosterPerson[] = [
  { email: REAL, status: 'active', terminationDate: '' },
  { email: 'asmith@example.com', status: 'terminated', terminationDate: '' },
];
const FORMULA_START = /^[=+\-@\t\r]/;
const APPS: ReviewApp[] = ['bigid', 'sigma'];

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

/** A review as the engine runs it, into files; its rows as review.json holds them, and the three files as written. */
async function runReviewFiles(request: ReviewRequest): Promise<{ rows: ReconciledRow[]; complete: boolean; apps: unknown; files: Record<'csv' | 'json' | 'html', string> }> {
  const dir = path.join(env.dir, 'hostile-review');
  const { summary } = await runReview(env.runtime, request, { dir });
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const files = { csv: read('review.csv'), json: read('review.json'), html: read('review.html') };
  return { rows: (JSON.parse(files.json) as { review: { rows: ReconciledRow[] } }).review.rows, complete: summary.complete, apps: summary.apps, files };
}

const review = (roster = ROSTER): ReviewRequest => ({ kind: 'review', apps: 'all', includeInactive: true, offboardOrphans: false, roster: { csv: roster, source: 'hr.csv' } });

/** Raw tags in the HTML: escaped markup (&lt;img …) is text, a raw tag would be an element. */
function rawTags(html: string): string[] {
  const lower = html.toLowerCase();
  return ['<script', '<img', '<svg', '<iframe', '<a ', '<object'].filter((tag) => lower.includes(tag));
}

function checkHtml(html: string, where: string): void {
  expect(rawTags(html), `${where}: raw tags in the HTML`).toEqual([]);
}

function checkCsv(csv: string, where: string): number {
  const { rows } = parseCsv(csv);
  // One expect for all cells: Playwright's expect is too slow to call per cell.
  const unsafe = rows.flat().filter((cell) => FORMULA_START.test(cell));
  expect(unsafe.map((c) => c.slice(0, 60)), `${where}: formula-looking cells`).toEqual([]);
  return rows.length;
}

async function accounts(): Promise<Record<ReviewApp, TruthAccount[]>> {
  return { bigid: await truthAccounts(env.bigid.stateUrl), sigma: await truthAccounts(env.sigma.stateUrl) };
}

type Mutation = { method: string; path: string; userId: string };
/** Every mutating request each simulator applied, as `app METHOD id`, per app in order. */
async function mutationLog(): Promise<Record<ReviewApp, string[]>> {
  const log = { bigid: [] as string[], sigma: [] as string[] };
  for (const app of APPS) for (const m of (await groundTruth<{ mutations: Mutation[] }>(env[app].stateUrl)).mutations) log[app].push(`${app} ${m.method} ${m.userId}`);
  return log;
}
/** What was applied since `before`: the logs are append-only, so the new entries are the tail. */
async function mutationsSince(before: Record<ReviewApp, string[]>): Promise<string[]> {
  const now = await mutationLog();
  return APPS.flatMap((app) => now[app].slice(before[app].length)).sort();
}

const jobCount = async (): Promise<number> => ((await env.call('GET', '/v1/jobs?limit=500')).json.jobs as unknown[]).length;

/** What seatctl did with one offboarding request, in terms of the simulators' ground truth. */
type Outcome =
  | { http: 202; job: string; tasks: string[]; after: string[]; newMutations: string[]; reportRawTags: string[] }
  | { http: number; code: string; field: string; jobsAdded: number; newMutations: string[] };

/** An account's access as its app holds it: `bigid <id> enabled=…` / `sigma <id> archived=…`. */
const accessLine = (app: ReviewApp, u: TruthAccount): string => (app === 'bigid' ? `bigid ${accountId(u)} enabled=${u.isEnabled}` : `sigma ${accountId(u)} archived=${u.isArchived}`);

async function offboard(email: string, apps: ReviewApp[], ids: Record<string, string>): Promise<Outcome> {
  const jobsBefore = await jobCount();
  const mutationsBefore = await mutationLog();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email, apps });
  if (created.status !== 202) {
    return { http: created.status, code: created.json?.error?.code, field: created.json?.error?.field, jobsAdded: (await jobCount()) - jobsBefore, newMutations: await mutationsSince(mutationsBefore) };
  }
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  const truth = await accounts();
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  return {
    http: 202,
    job: job.status,
    tasks: job.tasks.map((t: { app: string; outcome: string; error?: { code: string } }) => `${t.app} ${t.outcome}${t.error ? ` ${t.error.code}` : ''}`).sort(),
    after: apps.map((app) => accessLine(app, truth[app].find((u) => accountId(u) === ids[app])!)),
    newMutations: await mutationsSince(mutationsBefore),
    reportRawTags: report.status === 200 ? rawTags(report.text) : [`report status ${report.status}`],
  };
}

/** The one right outcome for an offboarding of `email` on `apps`, where `ids` are its accounts. */
function rightOutcome(email: string, apps: ReviewApp[], ids: Record<string, string>): Outcome {
  if (!documentedEmail(email)) return { http: 400, code: 'USAGE', field: 'email', jobsAdded: 0, newMutations: [] };
  return {
    http: 202,
    job: 'succeeded',
    tasks: apps.map((app) => `${app} changed`).sort(),
    after: apps.map((app) => (app === 'bigid' ? `bigid ${ids[app]} enabled=false` : `sigma ${ids[app]} archived=true`)),
    newMutations: apps.map((app) => `${app} ${app === 'bigid' ? 'PUT' : 'DELETE'} ${ids[app]}`).sort(),
    reportRawTags: [],
  };
}

const person = fc.record({
  first: fc.oneof(hostileString(40), fc.constant('n'.repeat(5_000)), fc.constant('<img src=x onerror=alert(1)>')),
  last: fc.oneof(hostileString(40), fc.constant('\u202eevil.exe'), fc.constant('=HYPERLINK("http://evil.example","x")')),
  local: fc.oneof(
    fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/),
    fc.constantFrom('<img src=x onerror=alert(1)>', '=cmd|calc', '+1', '-1', '@x', '"quoted"', 'tab\there', 'jdoе', 'JDOE', 'bell\u0007', '\u202ereversed', "o'brien", 'a..b'),
  ),
  apps: fc.constantFrom<ReviewApp[]>(['bigid'], ['sigma'], ['bigid', 'sigma']),
});

test('hostile app data #1: a review and an offboarding over generated hostile accounts have exactly the right outcome', async () => {
  test.setTimeout(300_000);
  let ran = 0;
  const outcomes: Record<string, number> = {};
  await fc.assert(
    fc.asyncProperty(fc.array(person, { minLength: 1, maxLength: 4 }), async (people) => {
      ran += 1;
      const added: { email: string; apps: ReviewApp[]; ids: Record<string, string> }[] = [];
      for (const p of people) {
        counter += 1;
        const email = `${p.local}.${counter}@example.com`;
        const ids: Record<string, string> = {};
        if (p.apps.includes('bigid')) ids.bigid = insertBigId(p.first, p.last, email);
        if (p.apps.includes('sigma')) ids.sigma = insertSigma(p.first, p.last, email);
        added.push({ email, apps: p.apps, ids });
      }

      // The review, as the CLI and the engine run it: every account the simulators hold,
      // with the verdict the documented rules give it, and nothing else.
      const truth = await accounts();
      const { rows, complete, apps, files } = await runReviewFiles(review());
      expect(complete, JSON.stringify(apps)).toBe(true);
      expect(rows.map((r) => `${r.app} ${r.id} ${r.email} ${r.verdict}`).sort()).toEqual(expectedRows(truth, ROSTER_PEOPLE));
      // The look-alike is never the real person: not in the roster, so orphaned while it has access.
      expect(rows.filter((r) => r.email === LOOKALIKE).map((r) => [r.app, r.verdict, r.person])).toEqual([
        ['bigid', 'orphaned', null],
        ['sigma', 'orphaned', null],
      ]);
      checkHtml(files.html, `review of ${JSON.stringify(people).slice(0, 200)}`);
      expect(checkCsv(files.csv, 'review CSV')).toBe(rows.length + 1);

      // An offboarding job over the service for each of them, judged by the simulators.
      for (const a of added) {
        const outcome = await offboard(a.email, a.apps, a.ids);
        outcomes[`${outcome.http}`] = (outcomes[`${outcome.http}`] ?? 0) + 1;
        expect(outcome, `offboarding ${JSON.stringify(a.email)} on ${a.apps.join(',')}`).toEqual(rightOutcome(a.email, a.apps, a.ids));
      }
    }),
    fcOptions(40),
  );
  logCases('app-data.spec.ts', 'hostile accounts', ran);
  console.log(`[hostile] offboarding outcomes by HTTP status: ${JSON.stringify(outcomes)}`);
  // Both kinds of address came up: the property is not vacuous on either side.
  expect(Object.keys(outcomes).sort()).toEqual(['202', '400']);
});

test('hostile app data #2: offboarding the real person leaves the look-alike account alone', async () => {
  const before = await accounts();
  const realIds = { bigid: accountId(before.bigid.find((u) => u.email === REAL)!), sigma: accountId(before.sigma.find((u) => u.email === REAL)!) };
  expect(await offboard(REAL, APPS, realIds)).toEqual(rightOutcome(REAL, APPS, realIds));
  // Every other account, the look-alike's included, is exactly as it was.
  const after = await accounts();
  for (const app of APPS) {
    const others = (list: TruthAccount[]) => list.filter((u) => accountId(u) !== realIds[app]);
    expect(others(after[app]), `${app}: other accounts`).toEqual(others(before[app]));
  }
  expect([after.bigid.find((u) => u.email === LOOKALIKE)!.isEnabled, after.sigma.find((u) => u.email === LOOKALIKE)!.isArchived]).toEqual([true, false]);
  // And the look-alike address is not even a valid request: the documented pattern is ASCII.
  expect(documentedEmail(LOOKALIKE)).toBe(false);
  expect(await offboard(LOOKALIKE, APPS, {})).toEqual({ http: 400, code: 'USAGE', field: 'email', jobsAdded: 0, newMutations: [] });
});

test("hostile app data #3: a roster row with the look-alike address does not vouch for the real person's account", async () => {
  const roster = `email,name,status\n${LOOKALIKE},John Doe,active\n`;
  const truth = await accounts();
  const { rows } = await runReviewFiles(review(roster));
  expect(rows.map((r) => `${r.app} ${r.id} ${r.email} ${r.verdict}`).sort()).toEqual(expectedRows(truth, [{ email: LOOKALIKE, status: 'active', terminationDate: '' }]));
  // The real person's accounts match no roster row; the look-alike's match the row.
  expect(rows.filter((r) => r.email === REAL).map((r) => [r.app, r.person])).toEqual([
    ['bigid', null],
    ['sigma', null],
  ]);
  expect(rows.filter((r) => r.email === LOOKALIKE).map((r) => [r.app, r.verdict, r.person?.email])).toEqual([
    ['bigid', 'active_ok', LOOKALIKE],
    ['sigma', 'active_ok', LOOKALIKE],
  ]);
});

test('hostile app data #4: a review job over the service writes escaped, formula-safe files', async () => {
  const truth = await accounts();
  const mutationsBefore = await mutationLog();
  const created = await env.call('POST', '/v1/jobs', { kind: 'review', apps: 'all', includeInactive: true, roster: { csv: ROSTER } });
  expect(created.status, created.text).toBe(202);
  const job = await env.waitFor(created.json.job.id, ['succeeded', 'failed']);
  expect(job.status).toBe('succeeded');
  const report = await env.call('GET', `/v1/jobs/${job.id}/report`);
  expect(report.status).toBe(200);
  checkHtml(report.text, 'review job report');
  const csv = await env.call('GET', `/v1/jobs/${job.id}/artifacts/review.csv`);
  expect(csv.status).toBe(200);
  // One line per row the ground truth gives, plus the header.
  expect(checkCsv(csv.text, 'review.csv')).toBe(expectedRows(truth, ROSTER_PEOPLE).length + 1);
  expect(await mutationsSince(mutationsBefore)).toEqual([]);
});
