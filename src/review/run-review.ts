import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULT_REVIEW_CONFIG, type ReviewConfig } from '../config/schema.js';
import type { Runtime } from '../engine/runtime.js';
import type { ReviewRequest } from '../model/index.js';
import { reconcile, type Reconciliation, type Verdict } from './reconcile.js';
import { collectReview, type AppReview } from './review-rows.js';
import { isComplete, type ReviewFormat, type ReviewResult } from './review-output.js';
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

export interface ReviewRun {
  result: ReviewResult;
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
}

/**
 * Parses the roster a review request carries; a bad roster is a USAGE error naming the
 * line, a roster longer than `review.maxRosterRows` one naming that key.
 */
export function reviewRoster(request: ReviewRequest, limits: ReviewConfig = DEFAULT_REVIEW_CONFIG): Roster | null {
  if (!request.roster) return null;
  return parseRoster(request.roster.csv, { source: request.roster.source ?? 'roster', maxRows: limits.maxRosterRows, ...(request.roster.columns ? { columns: request.roster.columns } : {}) });
}

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
  const listed = await collectReview(runtime, apps, includeInactive, { maxRows: limits.maxRows, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  const reconciliation = roster ? reconcile(listed.rows, listed.apps, roster, options.now ? { now: options.now } : {}) : null;
  const result: ReviewResult = {
    id: listed.id,
    generatedAt: (options.now ?? new Date()).toISOString(),
    apps: listed.apps,
    rows: listed.rows,
    reconciliation,
    includeInactive,
    rosterSource: roster ? roster.source : null,
  };
  const artifacts = options.dir ? await writeReviewFiles(result, options.dir) : [];
  return {
    result,
    summary: {
      complete: isComplete(result),
      apps: listed.apps,
      rows: listed.rows.length,
      orphans: reconciliation?.orphans.length ?? 0,
      counts: reconciliation?.counts ?? null,
      artifacts,
    },
  };
}

export const REVIEW_FILES: Record<ReviewFormat, string> = { csv: 'review.csv', json: 'review.json', html: 'review.html' };

async function writeReviewFiles(result: ReviewResult, dir: string): Promise<ReviewSummary['artifacts']> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const written: ReviewSummary['artifacts'] = [];
  for (const format of ['csv', 'json', 'html'] as const) {
    written.push({ path: REVIEW_FILES[format], sha256: await writeReviewFile(result, format, path.join(dir, REVIEW_FILES[format])) });
  }
  return written;
}

/** The orphans as an offboarding request's `people`: each account's own email, on the apps where it is orphaned. */
export function orphanTargets(reconciliation: Reconciliation): { email: string; apps: string[] }[] {
  const byEmail = new Map<string, { email: string; apps: Set<string> }>();
  for (const row of reconciliation.orphans) {
    const key = row.email.toLowerCase();
    const entry = byEmail.get(key) ?? { email: row.email, apps: new Set<string>() };
    entry.apps.add(row.app);
    byEmail.set(key, entry);
  }
  return [...byEmail.values()].map((e) => ({ email: e.email, apps: [...e.apps].sort() }));
}

export type { Verdict };
