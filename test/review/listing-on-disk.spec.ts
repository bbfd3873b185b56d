import { test, expect } from '@playwright/test';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { AppUser, ReviewRequest } from '../../src/model/index.js';
import { LISTING_FILE } from '../../src/review/listing-db.js';
import { orphanTargets, runReview } from '../../src/review/run-review.js';
import { syntheticRuntime, type SyntheticApp } from '../support/synthetic-listing.js';

/**
 * Issue 12 item 8 (stream the listing to disk): each listed page is in the review's
 * working database before the next page is read, review.maxRows is enforced as pages
 * arrive (the database never holds more), and the database is private while it exists
 * and gone when the review returns, whether it succeeded or failed.
 */
const user = (app: string, i: number): AppUser => ({ app, id: `${app}-${i}`, email: `p${i}@example.com`, name: `P ${i}`, role: 'Member', status: 'active', origin: null, lastSeen: null, raw: null });
const pagesOf = (app: string, pages: number, size: number): AppUser[][] => Array.from({ length: pages }, (_, p) => Array.from({ length: size }, (_, i) => user(app, p * size + i)));

/** The working database of the one review running under `dataDir`, if any. */
function listingFile(dataDir: string): string | null {
  const reviews = path.join(dataDir, 'reviews');
  if (!existsSync(reviews)) return null;
  for (const id of readdirSync(reviews)) if (existsSync(path.join(reviews, id, LISTING_FILE))) return path.join(reviews, id, LISTING_FILE);
  return null;
}

function storedRows(file: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM listed').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const request = (roster?: string): ReviewRequest => ({ kind: 'review', apps: 'all', includeInactive: true, offboardOrphans: true, ...(roster ? { roster: { csv: roster, source: 'hr.csv' } } : {}) });

test('resource use #8: every listed page is on disk before the next page is read, and the working database is private then removed', async () => {
  const seen: { page: number; stored: number; fileMode: number; dirMode: number }[] = [];
  const apps: Record<string, SyntheticApp> = { alpha: { pages: pagesOf('alpha', 4, 250) } };
  const { runtime, dataDir } = syntheticRuntime(apps);
  apps.alpha!.afterPage = (page) => {
    const file = listingFile(dataDir)!;
    seen.push({ page, stored: storedRows(file), fileMode: statSync(file).mode & 0o777, dirMode: statSync(path.dirname(file)).mode & 0o777 });
  };
  const out = mkdtempSync(path.join(os.tmpdir(), 'seatctl-review-out-'));
  try {
    const roster = 'email,name,status\np1@example.com,P 1,terminated\np2@example.com,P 2,active\n';
    const { summary, result } = await runReview(runtime, request(roster), { dir: out });
    expect(seen).toEqual([0, 1, 2, 3].map((page) => ({ page, stored: (page + 1) * 250, fileMode: 0o600, dirMode: 0o700 })));
    expect(summary).toMatchObject({ complete: true, rows: 1_000, orphans: 999 });
    // Orphan targets are grouped from disk when the request asks to offboard them.
    expect(orphanTargets(result.reconciliation!)).toHaveLength(999);
    expect(orphanTargets(result.reconciliation!)[0]).toEqual({ email: 'p0@example.com', apps: ['alpha'] });
    expect(JSON.parse(readFileSync(path.join(out, 'review.json'), 'utf8')).review.rows).toHaveLength(1_000);
    expect(listingFile(dataDir)).toBeNull();
  } finally {
    await runtime.close();
  }
});

test('resource use #8.2: review.maxRows is enforced as pages arrive: the page past it is never stored, nothing is written, the database is removed', async () => {
  const seen: number[] = [];
  const apps: Record<string, SyntheticApp> = { alpha: { pages: pagesOf('alpha', 5, 100) }, beta: { pages: pagesOf('beta', 5, 100) } };
  const { runtime, dataDir } = syntheticRuntime(apps);
  for (const a of Object.values(apps)) a.afterPage = () => seen.push(storedRows(listingFile(dataDir)!));
  const out = mkdtempSync(path.join(os.tmpdir(), 'seatctl-review-out-'));
  try {
    const failed = await runReview(runtime, request(), { dir: out, limits: { maxRosterRows: 10, maxRows: 550 } }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ code: 'USAGE', details: { limit: 'review.maxRows' } });
    expect(Math.max(...seen)).toBeLessThanOrEqual(550);
    expect(seen).toContain(500);
    expect(readdirSync(out)).toEqual([]);
    expect(listingFile(dataDir)).toBeNull();
  } finally {
    await runtime.close();
  }
});
