import { test, expect } from '@playwright/test';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { unzipSync } from 'fflate';
import { BIGID_DEFAULT_PASSWORD } from '../fixtures/bigid/index.js';
import { BILLCOM_DEFAULT_PASSWORD, BILLCOM_DEFAULT_TOTP_SECRET } from '../fixtures/billcom/index.js';
import { SIGMA_DEFAULTS } from '../fixtures/sigma/index.js';
import { STITCH_DEFAULTS } from '../fixtures/stitch/index.js';
import { APPROVER_TOKEN, TEST_TOKEN } from './support/service-env.js';
import { scanRoot, SECRETS_FILE } from './support/scan-root.js';

/**
 * Runs after the `node` and `browser` projects (playwright.config.ts, project
 * `secret-scan`). Every test helper keeps its data dir, evidence, traces, reports,
 * captured logs and CLI output under one root; this reads every file there — trace
 * zips unzipped, SQLite files as bytes and as rows — and fails, naming the file and
 * the secret (never the secret's value), on any configured secret, token or TOTP seed.
 */
interface Secret {
  name: string;
  value: string;
}

const BUILT_IN: Secret[] = [
  { name: 'bigid password', value: BIGID_DEFAULT_PASSWORD },
  { name: 'sigma client secret', value: SIGMA_DEFAULTS.clientSecret },
  { name: 'sigma SCIM token', value: SIGMA_DEFAULTS.scimToken },
  { name: 'stitch admin password', value: STITCH_DEFAULTS.adminPassword },
  { name: 'stitch general-user password', value: STITCH_DEFAULTS.generalUserPassword },
  { name: 'bill.com password', value: BILLCOM_DEFAULT_PASSWORD },
  { name: 'bill.com TOTP seed', value: BILLCOM_DEFAULT_TOTP_SECRET },
  { name: 'service test token', value: TEST_TOKEN },
  { name: 'service test approver token', value: APPROVER_TOKEN },
];

function registered(root: string): Secret[] {
  const file = path.join(root, SECRETS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        const s = JSON.parse(line) as Secret;
        return typeof s.value === 'string' && s.value.length >= 6 ? [s] : [];
      } catch {
        return [];
      }
    });
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

/** One SQLite file's rows as text, read from a copy (never touching a file a test might still hold). */
function sqliteRows(file: string): string {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'seatctl-scan-db-'));
  try {
    const copy = path.join(tmp, 'copy.db');
    copyFileSync(file, copy);
    for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) copyFileSync(file + suffix, copy + suffix);
    const db = new Database(copy);
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      return tables.map((t) => JSON.stringify(db.prepare(`SELECT * FROM "${t.name.replace(/"/g, '""')}"`).all())).join('\n');
    } finally {
      db.close();
    }
  } catch {
    return '';
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A saved console session (`<dataDir>/sessions/<app>.json`): its file holds cookies by design. */
const SESSION_FILE = /(^|\/)sessions\/[^/]+\.json$/;

/**
 * Every console session cookie the run created, read from the stored session files: a
 * trace or log that kept one would hand out a signed-in console (Bill.com's
 * trusted-device cookie even skips MFA).
 */
function sessionCookies(root: string): Secret[] {
  const found: Secret[] = [];
  for (const file of walk(root)) {
    const rel = path.relative(root, file);
    if (!SESSION_FILE.test(rel)) continue;
    try {
      const state = JSON.parse(readFileSync(file, 'utf8')) as { cookies?: { name: string; value: string }[] };
      for (const c of state.cookies ?? []) if (typeof c.value === 'string' && c.value.length >= 6) found.push({ name: `session cookie ${c.name} (${rel})`, value: c.value });
    } catch {
      // A session file being rewritten by a test still running is not a finding.
    }
  }
  return found;
}

test('no secret, token, TOTP seed or session cookie in any log, evidence file, trace, report, store or CLI output', async () => {
  test.setTimeout(300_000);
  const root = scanRoot();
  const cookies = sessionCookies(root);
  const secrets = [...BUILT_IN, ...registered(root), ...cookies];
  const byValue = new Map<string, Secret>();
  for (const s of secrets) if (!byValue.has(s.value)) byValue.set(s.value, s);
  const needles = [...byValue.values()].map((s) => ({ ...s, bytes: Buffer.from(s.value, 'utf8') }));

  const hits: string[] = [];
  const counts = { files: 0, traceZips: 0, provisionTraces: 0, traceEntries: 0, reports: 0, logs: 0, sqlite: 0, secretFiles: 0, sessionFiles: 0, sessionCookies: cookies.length };
  const check = (where: string, data: Buffer | string) => {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (const n of needles) if (buf.includes(n.bytes)) hits.push(`${where}: ${n.name}`);
  };

  for (const file of walk(root)) {
    const rel = path.relative(root, file);
    if (rel === SECRETS_FILE) continue;
    if (SESSION_FILE.test(rel)) {
      counts.sessionFiles += 1;
      continue;
    }
    const data = readFileSync(file);
    // A `file:` secret reference's target holds exactly one secret by design: not a leak.
    if (data.length < 512 && byValue.has(data.toString('utf8').replace(/\r?\n$/, ''))) {
      counts.secretFiles += 1;
      continue;
    }
    counts.files += 1;
    const base = path.basename(file);
    if (base === 'report.html' || base === 'review.html') counts.reports += 1;
    if (base.endsWith('.log')) counts.logs += 1;
    check(rel, data);
    if (base.endsWith('.zip')) {
      let entries: Record<string, Uint8Array> = {};
      try {
        entries = unzipSync(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch (err) {
        hits.push(`${rel}: not a readable zip (${(err as Error).message}), so it could not be scanned`);
      }
      if (/(^|-)trace-/.test(base)) counts.traceZips += 1;
      // A provision's trace (its title, set by the console driver, is "<app> provision"):
      // where a flow types a generated password, which tests register as a secret.
      const events = entries['trace.trace'];
      if (events && /"title":"[^"]* provision\b/.test(Buffer.from(events).toString('utf8'))) counts.provisionTraces += 1;
      for (const [name, bytes] of Object.entries(entries)) {
        counts.traceEntries += 1;
        check(`${rel}!${name}`, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      }
    }
    if (base.endsWith('.db')) {
      counts.sqlite += 1;
      check(`${rel} (rows)`, sqliteRows(file));
    }
  }

  console.log(`secret scan of ${root}: ${needles.length} secrets, ${JSON.stringify(counts)}`);
  expect(hits, `secrets found (file: secret name):\n${hits.join('\n')}`).toEqual([]);
  // The scan proves something only if the suite left its outputs here.
  expect(counts.files, 'files scanned').toBeGreaterThan(50);
  expect(counts.traceZips, 'Playwright trace zips scanned').toBeGreaterThan(0);
  // test/sdk/acme-evidence.browser.spec.ts provisions with a generated first password and registers it.
  expect(counts.provisionTraces, 'provision traces scanned').toBeGreaterThan(0);
  expect(counts.reports, 'HTML reports scanned').toBeGreaterThan(0);
  expect(counts.logs, 'log files scanned').toBeGreaterThan(0);
  expect(counts.sqlite, 'SQLite stores scanned').toBeGreaterThan(0);
  expect(needles.length, 'secrets looked for').toBeGreaterThanOrEqual(BUILT_IN.length);
  // The console tests sign in and keep their sessions: without their cookies the scan would miss the worst leak.
  expect(counts.sessionCookies, 'console session cookies looked for').toBeGreaterThan(0);
});
