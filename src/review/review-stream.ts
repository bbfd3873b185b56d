import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { openPrivateFileSync } from '../fs/private-files.js';
import { once } from 'node:events';
import { csvRow } from './csv.js';
import { RECONCILED_COLUMNS, renderReviewHtml, reviewJsonHead, type ReviewFormat, type ReviewResult } from './review-output.js';
import { REVIEW_COLUMNS } from './review-rows.js';

/**
 * The CSV and JSON renderings as a sequence of chunks, so a 100,000-row review is written
 * to disk a few kilobytes at a time instead of first becoming one string of hundreds of
 * megabytes (and a second copy as the Buffer written). The bytes are exactly those of
 * renderReviewCsv / renderReviewJson (test/review/review-stream.spec.ts compares them).
 */
const CHUNK_CHARS = 64 * 1024;

function* batched(parts: Iterable<string>): Generator<string> {
  let buf = '';
  for (const p of parts) {
    buf += p;
    if (buf.length >= CHUNK_CHARS) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function* csvParts(r: ReviewResult): Generator<string> {
  if (!r.reconciliation) {
    yield csvRow([...REVIEW_COLUMNS]);
    for (const row of r.rows) yield csvRow(REVIEW_COLUMNS.map((c) => row[c]));
    return;
  }
  yield csvRow([...REVIEW_COLUMNS, ...RECONCILED_COLUMNS]);
  for (const row of r.reconciliation.rows) {
    yield csvRow([...REVIEW_COLUMNS.map((c) => row[c]), row.verdict, row.reason, row.person?.status ?? '', row.person?.terminationDate ?? '', row.person?.manager ?? '']);
  }
}

function* jsonParts(r: ReviewResult): Generator<string> {
  const head = reviewJsonHead(r);
  // `{"review":{…head…}}` minus its two closing braces, then `rows` as the last key, as
  // JSON.stringify({ review: { ...head, rows } }) writes it.
  yield JSON.stringify({ review: head }).slice(0, -2) + ',"rows":[';
  const rows: readonly unknown[] = r.reconciliation ? r.reconciliation.rows : r.rows;
  for (let i = 0; i < rows.length; i += 1) yield (i ? ',' : '') + JSON.stringify(rows[i]);
  yield ']}}\n';
}

/** The review in `format`, chunk by chunk (HTML is still built whole: its sections need every row). */
export function reviewChunks(r: ReviewResult, format: ReviewFormat): Iterable<string> {
  switch (format) {
    case 'csv':
      return batched(csvParts(r));
    case 'json':
      return batched(jsonParts(r));
    case 'html':
      return [renderReviewHtml(r)];
  }
}

/**
 * Writes the review to `file` (mode 0600) chunk by chunk, waiting for the disk when the
 * stream's buffer is full, and returns the SHA-256 of the bytes written (what the
 * `reviewed` audit record lists for `jobs verify`).
 */
export async function writeReviewFile(r: ReviewResult, format: ReviewFormat, file: string): Promise<string> {
  const hash = createHash('sha256');
  // Our own O_NOFOLLOW descriptor: a symlink planted at review.csv must not redirect the write.
  const out = createWriteStream(file, { fd: openPrivateFileSync(file, 'truncate') });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  for (const chunk of reviewChunks(r, format)) {
    const bytes = Buffer.from(chunk, 'utf8');
    hash.update(bytes);
    if (!out.write(bytes)) await Promise.race([once(out, 'drain'), failed]);
  }
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return hash.digest('hex');
}
