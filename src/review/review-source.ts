import type { Reconciliation, ReconciledRow, Verdict } from './reconcile.js';
import type { AppReview, ReviewRow } from './review-rows.js';

/**
 * What the three renderings of an access review read: the head (apps, counts) and the
 * rows in output order, as iterables walked once per file. A review being run reads
 * them from its working database on disk (listing-db.ts), so no rendering ever needs
 * the whole listing in memory; a review already held in memory (`ReviewResult`, used
 * by tests) is read through `resultSource`, the same renderers over arrays.
 */
export type ReviewFormat = 'csv' | 'json' | 'html';

export interface ReviewSource {
  id: string;
  generatedAt: string;
  apps: AppReview[];
  includeInactive: boolean;
  rosterSource: string | null;
  /** Rows per app and verdict; null when the review had no roster (then rows are not reconciled). */
  counts: Record<string, Record<Verdict, number>> | null;
  /** Rows in the output per app (reconciled: "missing" rows included). */
  perApp: ReadonlyMap<string, number>;
  /** The rows in output order: listing order, or reconciled order (reconcile.ts `rowOrderKey`). */
  rows(): Iterable<ReviewRow | ReconciledRow>;
  /** The orphaned rows, in output order (none without a roster). */
  orphans(): Iterable<ReconciledRow>;
}

/** A review held in memory: the listing and its reconciliation as arrays. */
export interface ReviewResult {
  id: string;
  generatedAt: string;
  apps: AppReview[];
  rows: ReviewRow[];
  reconciliation: Reconciliation | null;
  includeInactive: boolean;
  rosterSource: string | null;
}

export const isComplete = (r: { apps: AppReview[] }): boolean => r.apps.every((a) => a.complete);

export function resultSource(r: ReviewResult): ReviewSource {
  const rows: readonly (ReviewRow | ReconciledRow)[] = r.reconciliation ? r.reconciliation.rows : r.rows;
  const perApp = new Map<string, number>();
  for (const row of rows) perApp.set(row.app, (perApp.get(row.app) ?? 0) + 1);
  return {
    id: r.id,
    generatedAt: r.generatedAt,
    apps: r.apps,
    includeInactive: r.includeInactive,
    rosterSource: r.rosterSource,
    counts: r.reconciliation ? r.reconciliation.counts : null,
    perApp,
    rows: () => rows,
    orphans: () => r.reconciliation?.orphans ?? [],
  };
}

/** Either kind of review, as a source. */
export const asSource = (r: ReviewResult | ReviewSource): ReviewSource => ('reconciliation' in r ? resultSource(r) : r);
