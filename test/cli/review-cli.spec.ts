import { test, expect } from '@playwright/test';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';

/**
 * `seatctl review` against the API simulators, in-process: outputs, roster errors,
 * header mapping, exit codes, and --offboard-orphans through the job engine.
 */
let env: ApiEnv;
let configFile: string;

test.beforeEach(async () => {
  env = await startApiEnv();
  configFile = path.join(env.dir, 'seatctl.config.json');
  await writeFile(
    configFile,
    JSON.stringify({
      dataDir: 'data',
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
      apps: {
        bigid: { driver: 'bigid-api', baseUrl: `${env.bigid.url}/api/v1`, credentials: { username: env.bigid.credentials.username, password: 'file:bigid-password' } },
        sigma: { driver: 'sigma-api', baseUrl: `${env.sigma.url}/v2`, credentials: { clientId: env.sigma.credentials.clientId, clientSecret: 'file:sigma-secret' } },
      },
    }),
  );
});
test.afterEach(async () => env.close());

/** Everyone with an account, except asmith (absent) and jdoe (terminated); header names as HR writes them. */
async function writeRoster(headers = 'email,name,status,termination_date,manager'): Promise<string> {
  const emails = new Set<string>();
  for (const url of [env.bigid.stateUrl, env.sigma.stateUrl]) for (const u of (await groundTruth<{ users: { email: string }[] }>(url)).users) emails.add(u.email.toLowerCase());
  emails.delete('asmith@example.com');
  const lines = [headers];
  for (const e of [...emails].sort()) lines.push(e === 'jdoe@example.com' ? `${e},John Doe,terminated,2026-01-31,boss@example.com` : `${e},Someone,active,,`);
  const file = path.join(env.dir, 'roster.csv');
  await writeFile(file, lines.join('\r\n') + '\r\n');
  return file;
}

test('review --roster --out review.html: orphans listed, format from the extension, exit 0', async () => {
  const roster = await writeRoster();
  const out = path.join(env.dir, 'review.html');
  const r = await cli(['review', '--config', configFile, '--roster', roster, '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/orphaned accounts: [1-9]/);
  const html = await readFile(out, 'utf8');
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toContain('asmith@example.com');
  expect(html).not.toContain('INCOMPLETE');
  // A listing leaves its evidence under data/reviews (the bad-roster test relies on it).
  expect(existsSync(path.join(env.dir, 'data', 'reviews'))).toBe(true);
});

test('review --format json --roster-columns maps HR header names', async () => {
  const roster = await writeRoster('Work Email,Full Name,Employment Status,Last Day,Reports To');
  const r = await cli([
    'review', '--config', configFile, '--roster', roster, '--format', 'json',
    '--roster-columns', 'email=Work Email,name=Full Name,status=Employment Status,terminationDate=Last Day,manager=Reports To',
  ]);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout);
  const jdoe = doc.review.rows.filter((row: { email: string }) => row.email === 'jdoe@example.com');
  expect(jdoe.length).toBeGreaterThan(0);
  for (const row of jdoe) expect(row.verdict).toBe('orphaned');
});

test('a bad roster exits 2 naming the line, before any app is read', async () => {
  const file = path.join(env.dir, 'bad.csv');
  await writeFile(file, 'email,name,status\nok@example.com,Ok,active\nbroken,Bad,active\n');
  const r = await cli(['review', '--config', configFile, '--roster', file]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('line 3');
  // No listing started: a listing leaves its evidence folder under data/reviews.
  expect(existsSync(path.join(env.dir, 'data', 'reviews'))).toBe(false);
  const missing = await cli(['review', '--config', configFile, '--roster', path.join(env.dir, 'nope.csv')]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('--roster');
  const orphansWithoutRoster = await cli(['review', '--config', configFile, '--offboard-orphans']);
  expect(orphansWithoutRoster.code).toBe(2);
  expect(orphansWithoutRoster.stderr).toContain('--roster');
  const columnsWithoutRoster = await cli(['review', '--config', configFile, '--roster-columns', 'email=E']);
  expect(columnsWithoutRoster.code).toBe(2);
  const badColumn = await cli(['review', '--config', configFile, '--roster', await writeRoster(), '--roster-columns', 'mail=E']);
  expect(badColumn.code).toBe(2);
  expect(badColumn.stderr).toContain('--roster-columns');
});

test('an incomplete listing exits 1 and says INCOMPLETE, in every format', async () => {
  // Enough faults for both runs below: the second must be incomplete too, not "either way".
  env.sigma.faults.enqueue({ kind: '503', method: 'GET', pathPrefix: '/v2/members', times: 1000 });
  const out = path.join(env.dir, 'partial.html');
  const r = await cli(['review', '--config', configFile, '--roster', await writeRoster(), '--out', out]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('INCOMPLETE');
  expect(await readFile(out, 'utf8')).toContain('INCOMPLETE');
  const json = await cli(['review', '--config', configFile, '--format', 'json']);
  expect(json.code).toBe(1);
  const doc = JSON.parse(json.stdout);
  expect(doc.review.complete).toBe(false);
});

test('--offboard-orphans --yes creates one offboarding job that applies each change once', async () => {
  // Ground truth before: the orphans (asmith, absent from the roster; jdoe, terminated) with access.
  type U = { email: string; isEnabled?: boolean; isArchived?: boolean };
  const orphans = ['asmith@example.com', 'jdoe@example.com'];
  const activeIn = (users: U[], active: (u: U) => boolean) => users.filter((u) => orphans.includes(u.email.toLowerCase()) && active(u)).length;
  const expected =
    activeIn((await groundTruth<{ users: U[] }>(env.bigid.stateUrl)).users, (u) => u.isEnabled === true) +
    activeIn((await groundTruth<{ users: U[] }>(env.sigma.stateUrl)).users, (u) => u.isArchived !== true);
  expect(expected).toBeGreaterThanOrEqual(2);
  const r = await cli(['review', '--config', configFile, '--roster', await writeRoster(), '--format', 'csv', '--out', path.join(env.dir, 'r.csv'), '--offboard-orphans', '--yes']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/creating one offboarding job for 2 people/);
  expect(r.stdout).toMatch(/report: .*report\.html/);
  const bigid = await groundTruth(env.bigid.stateUrl);
  const sigma = await groundTruth(env.sigma.stateUrl);
  const changed = bigid.mutations.length + sigma.mutations.length;
  // Exactly one mutation per orphaned account with access, and each is now without access.
  expect(changed).toBe(expected);
  expect(activeIn(bigid.users as U[], (u) => u.isEnabled === true) + activeIn(sigma.users as U[], (u) => u.isArchived !== true)).toBe(0);
  // Run it again: no orphans left, no new job, no new mutation.
  const again = await cli(['review', '--config', configFile, '--roster', await writeRoster(), '--format', 'csv', '--out', path.join(env.dir, 'r2.csv'), '--offboard-orphans', '--yes']);
  expect(again.code).toBe(0);
  expect(again.stderr).toContain('no orphaned accounts');
  expect((await groundTruth(env.bigid.stateUrl)).mutations.length + (await groundTruth(env.sigma.stateUrl)).mutations.length).toBe(changed);
});

/** The test config plus a `review` section. */
async function withReviewLimits(review: Record<string, number>): Promise<void> {
  const config = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  await writeFile(configFile, JSON.stringify({ ...config, review }));
}

test('resource use #8.2: a roster over review.maxRosterRows exits 2 naming the key, before any app is read', async () => {
  const roster = await writeRoster();
  const people = (await readFile(roster, 'utf8')).trim().split('\r\n').length - 1;
  await withReviewLimits({ maxRosterRows: people - 1 });
  const out = path.join(env.dir, 'review.csv');
  const r = await cli(['review', '--config', configFile, '--roster', roster, '--out', out]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain('review.maxRosterRows');
  expect(existsSync(path.join(env.dir, 'data', 'reviews'))).toBe(false);
  expect(existsSync(out)).toBe(false);
  // At the cap it runs.
  await withReviewLimits({ maxRosterRows: people });
  expect((await cli(['review', '--config', configFile, '--roster', roster, '--out', out])).code).toBe(0);
});

test('resource use #8.2: a listing over review.maxRows exits 2 naming the key and writes no output', async () => {
  await withReviewLimits({ maxRows: 3 });
  const out = path.join(env.dir, 'review.csv');
  const r = await cli(['review', '--config', configFile, '--out', out]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain('review.maxRows');
  expect(existsSync(out)).toBe(false);
});
