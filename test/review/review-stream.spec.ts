import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { reconcile } from '../../src/review/reconcile.js';
import { renderReview, type ReviewResult } from '../../src/review/review-output.js';
import type { AppReview, ReviewRow } from '../../src/review/review-rows.js';
import { reviewChunks, writeReviewFile } from '../../src/review/review-stream.js';
import { parseRoster } from '../../src/review/roster.js';

/**
 * Issue "Security hardening" item 8.3: the CSV and JSON outputs are written to disk chunk
 * by chunk instead of as one string, and the bytes are exactly what renderReview gives.
 */
const NOW = new Date('2026-10-01T12:00:00Z');
const PEOPLE = 10_000;
const APPS = ['bigid', 'sigma'];
const NASTY = ['=SUM(A1)', 'Ann "Quote" Lee', 'comma, inside', ' padded ', 'line\nbreak', 'Zoë Ünïcode ✓'];

function rows(): ReviewRow[] {
  const out: ReviewRow[] = [];
  for (const app of APPS) {
    for (let i = 0; i < PEOPLE; i += 1) {
      out.push({ app, id: `${app}-${i}`, email: `p${i}@x.com`, name: NASTY[i % NASTY.length]!, role: i % 3 ? 'member' : null, status: i % 7 ? 'active' : 'inactive', origin: i % 2 ? 'scim' : null, lastSeen: i % 5 ? '2026-09-01T00:00:00Z' : null });
    }
  }
  return out;
}

function result(withRoster: boolean): ReviewResult {
  const r = rows();
  const apps: AppReview[] = [{ app: 'bigid', complete: true, count: PEOPLE }, { app: 'sigma', complete: false, count: PEOPLE, error: { code: 'RATE_LIMITED', message: 'page 7' } }];
  const csv = ['email,name,status,termination_date,manager', ...Array.from({ length: PEOPLE / 2 }, (_, i) => (i % 4 ? `p${i}@x.com,P ${i},active,,` : `p${i}@x.com,P ${i},terminated,2026-01-31,boss@x.com`))].join('\n');
  const roster = withRoster ? parseRoster(csv, { source: 'hr.csv' }) : null;
  return { id: 'review_stream', generatedAt: NOW.toISOString(), apps, rows: r, reconciliation: roster ? reconcile(r, apps, roster, { now: NOW }) : null, includeInactive: true, rosterSource: roster?.source ?? null };
}

let dir: string;
test.beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'review-stream-'));
});
test.afterAll(async () => rm(dir, { recursive: true, force: true }));

for (const withRoster of [false, true]) {
  for (const format of ['csv', 'json', 'html'] as const) {
    test(`resource use #8.3: streamed ${format}${withRoster ? ' (reconciled)' : ''} of 10,000 × 2 apps equals renderReview byte for byte`, async () => {
      const r = result(withRoster);
      const whole = renderReview(r, format);
      const chunks = [...reviewChunks(r, format)];
      expect(chunks.length).toBeGreaterThanOrEqual(format === 'html' ? 1 : 10);
      expect(chunks.join('')).toBe(whole);
      const file = path.join(dir, `review-${withRoster}.${format}`);
      const sha = await writeReviewFile(r, format, file);
      const onDisk = await readFile(file);
      expect(onDisk.equals(Buffer.from(whole, 'utf8'))).toBe(true);
      expect(sha).toBe(createHash('sha256').update(onDisk).digest('hex'));
      expect((await stat(file)).mode & 0o777).toBe(0o600);
    });
  }
}
