import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reconcile } from '../src/review/reconcile.js';
import { renderReview, type ReviewResult } from '../src/review/review-output.js';
import type { AppReview, ReviewRow } from '../src/review/review-rows.js';
import { writeReviewFile } from '../src/review/review-stream.js';
import { parseRoster } from '../src/review/roster.js';

/**
 * Peak memory of writing one access review's three files, 10,000 people × 2 apps,
 * reconciled against a 10,000-person roster (`npx tsx bench/review-rss.ts`).
 * string: each output rendered as one string, then written (how seatctl wrote them before);
 * stream: CSV and JSON written chunk by chunk, HTML still one string (how it writes them now).
 * Each mode runs in a fresh process; peak RSS is the OS's maxRSS, plus samples taken
 * every 5 ms and after each file. Printed, not asserted: memory depends on the machine.
 */
const PEOPLE = Number(process.env.BENCH_REVIEW_PEOPLE ?? 10_000);
const APPS = ['bigid', 'sigma'];
const MB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

function review(): ReviewResult {
  const rows: ReviewRow[] = [];
  for (const app of APPS) for (let i = 0; i < PEOPLE; i += 1) rows.push({ app, id: `${app}-${i}-0123456789`, email: `person.number${i}@example.com`, name: `Person Number ${i}`, role: 'member', status: 'active', origin: 'scim', lastSeen: '2026-09-01T00:00:00Z' });
  const csv = ['email,name,status,termination_date,manager', ...Array.from({ length: PEOPLE }, (_, i) => (i % 10 ? `person.number${i}@example.com,P ${i},active,,` : `person.number${i}@example.com,P ${i},terminated,2026-01-31,boss@example.com`))].join('\n');
  const apps: AppReview[] = APPS.map((app) => ({ app, complete: true, count: PEOPLE }));
  const roster = parseRoster(csv, { source: 'hr.csv' });
  return { id: 'review_bench', generatedAt: new Date().toISOString(), apps, rows, reconciliation: reconcile(rows, apps, roster), includeInactive: false, rosterSource: 'hr.csv' };
}

async function child(mode: 'string' | 'stream'): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'review-rss-'));
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  const r = review();
  global.gc?.();
  const base = process.memoryUsage().rss;
  const started = Date.now();
  for (const format of ['csv', 'json', 'html'] as const) {
    const file = path.join(dir, `review.${format}`);
    if (mode === 'string') {
      const body = renderReview(r, format);
      sample();
      writeFileSync(file, body);
    } else await writeReviewFile(r, format, file);
    sample();
  }
  clearInterval(timer);
  rmSync(dir, { recursive: true, force: true });
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(JSON.stringify({ mode, rows: r.rows.length, baseRss: base, sampledPeakRss: peak, maxRss, ms: Date.now() - started }));
}

const mode = process.argv[2];
if (mode === 'string' || mode === 'stream') await child(mode);
else {
  for (const m of ['string', 'stream']) {
    const out = execFileSync(process.execPath, [...process.execArgv, '--expose-gc', process.argv[1]!, m], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as { mode: string; rows: number; baseRss: number; sampledPeakRss: number; maxRss: number; ms: number };
    console.log(`${r.mode.padEnd(6)} ${r.rows} rows: rss before writing ${MB(r.baseRss)}, sampled peak ${MB(r.sampledPeakRss)}, OS peak (maxRSS) ${MB(r.maxRss)}, ${r.ms} ms`);
  }
}
