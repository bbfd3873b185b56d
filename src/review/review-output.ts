import { csvRow } from './csv.js';
import type { ReconciledRow } from './reconcile.js';
import { reviewHtmlParts } from './review-html.js';
import { REVIEW_COLUMNS } from './review-rows.js';
import { asSource, isComplete, type ReviewFormat, type ReviewResult, type ReviewSource } from './review-source.js';

/**
 * The three renderings of an access review, each a sequence of pieces read from a
 * `ReviewSource` (review-source.ts): written to disk piece by piece (review-stream.ts),
 * or joined for a review held in memory. Whatever the format, an app that was not read
 * completely must be visible as such: JSON carries `complete` per app and overall, HTML
 * shows a banner. (CSV cannot carry it without breaking the header-first contract that
 * spreadsheet imports rely on, so the CLI reports it on stderr and in the exit code.)
 */
export { isComplete, type ReviewFormat, type ReviewResult, type ReviewSource };

export const RECONCILED_COLUMNS = ['verdict', 'reason', 'rosterStatus', 'terminationDate', 'manager'] as const;

function* csvParts(r: ReviewSource): Generator<string> {
  if (!r.counts) {
    yield csvRow([...REVIEW_COLUMNS]);
    for (const row of r.rows()) yield csvRow(REVIEW_COLUMNS.map((c) => row[c]));
    return;
  }
  yield csvRow([...REVIEW_COLUMNS, ...RECONCILED_COLUMNS]);
  // With counts, every row is reconciled (review-source.ts).
  for (const row of r.rows() as Iterable<ReconciledRow>) {
    yield csvRow([...REVIEW_COLUMNS.map((c) => row[c]), row.verdict, row.reason, row.person?.status ?? '', row.person?.terminationDate ?? '', row.person?.manager ?? '']);
  }
}

/** Everything of the JSON review but its rows, which follow it as the last key. */
export function reviewJsonHead(r: ReviewSource) {
  return {
    id: r.id,
    generatedAt: r.generatedAt,
    complete: isComplete(r),
    includeInactive: r.includeInactive,
    roster: r.rosterSource,
    apps: r.apps,
    ...(r.counts ? { counts: r.counts } : {}),
  };
}

function* jsonParts(r: ReviewSource): Generator<string> {
  // `{"review":{…head…}}` minus its two closing braces, then `rows` as the last key, as
  // JSON.stringify({ review: { ...head, rows } }) writes it.
  yield JSON.stringify({ review: reviewJsonHead(r) }).slice(0, -2) + ',"rows":[';
  let first = true;
  for (const row of r.rows()) {
    yield (first ? '' : ',') + JSON.stringify(row);
    first = false;
  }
  yield ']}}\n';
}

/** The review in `format`, piece by piece (a row, or a section head, at a time). */
export function reviewParts(review: ReviewResult | ReviewSource, format: ReviewFormat): Generator<string> {
  const r = asSource(review);
  switch (format) {
    case 'csv':
      return csvParts(r);
    case 'json':
      return jsonParts(r);
    case 'html':
      return reviewHtmlParts(r);
  }
}

const joined = (parts: Iterable<string>): string => {
  let out = '';
  for (const p of parts) out += p;
  return out;
};

/** The whole rendering as one string: for reviews held in memory (tests, small outputs). */
export const renderReview = (r: ReviewResult | ReviewSource, format: ReviewFormat): string => joined(reviewParts(r, format));
export const renderReviewCsv = (r: ReviewResult | ReviewSource): string => renderReview(r, 'csv');
export const renderReviewJson = (r: ReviewResult | ReviewSource): string => renderReview(r, 'json');
export const renderReviewHtml = (r: ReviewResult | ReviewSource): string => renderReview(r, 'html');
