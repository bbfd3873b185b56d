import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_REVIEW_CONFIG, type ReviewConfig } from '../config/schema.js';
import { newId } from '../engine/new-id.js';
import type { Runtime } from '../engine/runtime.js';
import type { ReviewRequest } from '../model/index.js';
import { openListingDb } from './listing-db.js';
import { createReconciler, type Reconciliation, type ReconciledRow, type Verdict } from './reconcile.js';
import { listReview, type AppReview } from './review-rows.js';
import { isComplete, type ReviewFormat, type ReviewSource } from './review-output.js';
import { writeReviewFile } from './review-stream.js';
import { parseRoster, type Roster } from './roster.js';

/**
 * One access review, from listing to files: the CLI (`seatctl review`) and the job
 * engine (the service's `review` job kind) both run this, so both give the same rows,
 * the same verdicts and the same outputs.
 */
export interface ReviewSummary {
  complete: boolean;
  apps: AppReview[];
  rows: number;
  orphans: number;
  counts: Reconciliation['counts'] | null;
  /** Files written into the review's folder, with their SHA-256 (checked by `jobs verify`). */
  artifacts: { path: string; sha256: string }[];
}

/** An offboarding request's `people` entry for orphaned accounts. */
export interface OrphanTarget {
  email: string;
  apps: string[];
}

/** What stays of a reconciliation once the review's files are written (its rows are in the files). */
export interface ReviewReconciliation {
  counts: Reconciliation['counts'];
  orphans: number;
  /** The orphans as offboarding targets: only when the request asks to offboard them (`offboardOrphans`), else empty. */
  targets: OrphanTarget[];
}

/** The review without its rows: those went from the listing to disk and into the files. */
export interface ReviewOutcome {
  id: string;
  generatedAt: string;
  apps: AppReview[];
  includeInactive: boolean;
  rosterSource: string | null;
  reconciliation: ReviewReconciliation | null;
}

export interface ReviewRun {
  result: ReviewOutcome;
  summary: ReviewSummary;
}

export interface RunReviewOptions {
  /** Where review.csv, review.json and review.html go (created 0700, files 0600). */
  dir?: string;
  /** Live progress per app: users read so far, and the total when the app tells it. */
  onProgress?: (app: string, read: number, total: number | null) => void;
  now?: Date;
  /** The config's `review` caps (roster people, listed accounts). */
  limits?: ReviewConfig;
  /**
   * Called once the review is complete and before its working database is deleted:
   * where the CLI streams the review to stdout or `--out` (`reviewChunks`,
   * `writeReviewFile`). The source's rows can be walked any number of times until it returns.
   */
  emit?: (review: ReviewSource) => Promise<void> | void;
}

/**
 * Parses the roster a review request carries; a bad roster is a USAGE error naming the
 * line, a roster longer than `review.maxRosterRows` one naming that key.
 */
export function reviewRoster(request: ReviewRequest, limits: ReviewConfig = DEFAULT_REVIEW_CONFIG): Roster | null {
  if (!request.roster) return null;
  return parseRoster(request.roster.csv, { source: request.roster.source ?? 'roster', maxRows: limits.maxRosterRows, ...(request.roster.columns ? { columns: request.roster.columns } : {}) });
}

/**
 * Lists, reconciles and writes one review with the listing on disk (listing-db.ts):
 * each page goes to the review's working database as it arrives, reconciliation walks it
 * in batches, and every output is streamed from it; the database is deleted before this
 * returns, whether the review succeeded or not.
 */
export async function runReview(runtime: Runtime, request: ReviewRequest, options: RunReviewOptions = {}): Promise<ReviewRun> {
  // The roster is checked before anything is read: a typo in it must not cost a
  // 10,000-user listing first.
  const limits = options.limits ?? DEFAULT_REVIEW_CONFIG;
  const roster = reviewRoster(request, limits);
  const apps = request.apps === 'all' ? Object.keys(runtime.config.apps) : [...new Set(request.apps)];
  for (const a of apps) runtime.app(a);
  // Reconciling needs the deactivated accounts too: without them a leaver whose account
  // is already off would look "missing" instead of "disabled_ok".
  const includeInactive = request.includeInactive || roster !== null;
  const id = newId('review');
  const listing = openListingDb(path.join(runtime.config.dataDir, 'reviews', id));
  try {
    const listed = await listReview(runtime, apps, includeInactive, {
      id,
      maxRows: limits.maxRows,
      onRows: (rows) => listing.add(rows),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    const now = options.now ?? new Date();
    let counts: Reconciliation['counts'] | null = null;
    if (roster) {
      const reconciler = createReconciler(listed, roster, { now });
      listing.reconcile(reconciler);
      counts = reconciler.counts;
    }
    const source: ReviewSource = {
      id,
      generatedAt: now.toISOString(),
      apps: listed,
      includeInactive,
      rosterSource: roster ? roster.source : null,
      counts,
      perApp: listing.perApp,
      rows: () => listing.rows(),
      orphans: () => listing.orphans(),
    };
    const artifacts = options.dir ? await writeReviewFiles(source, options.dir) : [];
    await options.emit?.(source);
    const orphans = counts ? Object.values(counts).reduce((sum, c) => sum + c.orphaned, 0) : 0;
    const reconciliation: ReviewReconciliation | null = counts ? { counts, orphans, targets: request.offboardOrphans ? groupOrphans(listing.orphans()) : [] } : null;
    const { rows: _rows, orphans: _orphans, perApp: _perApp, counts: _counts, ...head } = source;
    return {
      result: { ...head, reconciliation },
      summary: {
        complete: isComplete(source),
        apps: listed,
        rows: listed.reduce((sum, a) => sum + a.count, 0),
        orphans,
        counts,
        artifacts,
      },
    };
  } finally {
    listing.remove();
  }
}

export const REVIEW_FILES: Record<ReviewFormat, string> = { csv: 'review.csv', json: 'review.json', html: 'review.html' };

async function writeReviewFiles(result: ReviewSource, dir: string): Promise<ReviewSummary['artifacts']> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: ReviewSummary['artifacts'] = [];
  for (const format of ['csv', 'json', 'html'] as const) {
    written.push({ path: REVIEW_FILES[format], sha256: await writeReviewFile(result, format, path.join(dir, REVIEW_FILES[format])) });
  }
  return written;
}

/** The orphans as an offboarding request's `people`: each account's own email, on the apps where it is orphaned. */
function groupOrphans(orphans: Iterable<ReconciledRow>): OrphanTarget[] {
  const byEmail = new Map<string, { email: string; apps: Set<string> }>();
  for (const row of orphans) {
    const key = row.email.toLowerCase();
    const entry = byEmail.get(key) ?? { email: row.email, apps: new Set<string>() };
    entry.apps.add(row.app);
    byEmail.set(key, entry);
  }
  return [...byEmail.values()].map((e) => ({ email: e.email, apps: [...e.apps].sort() }));
}

/** The offboarding targets a review found (computed while its rows were on disk, when the request asked for them). */
export const orphanTargets = (reconciliation: ReviewReconciliation): OrphanTarget[] => reconciliation.targets;

export type { Verdict };
