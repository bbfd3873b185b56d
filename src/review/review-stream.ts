import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { openPrivateFileSync } from '../fs/private-files.js';
import { once } from 'node:events';
import { reviewParts, type ReviewFormat, type ReviewResult, type ReviewSource } from './review-output.js';

/**
 * Every rendering as a sequence of chunks, so a 100,000-row review is written to disk
 * 64 KiB at a time, read row by row from its working database, instead of first
 * becoming one string of hundreds of megabytes (and a second copy as the Buffer
 * written). The bytes are exactly those of renderReview (test/review/review-stream.spec.ts).
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

/** The review in `format`, in chunks of about 64 KiB. */
export function reviewChunks(r: ReviewResult | ReviewSource, format: ReviewFormat): Iterable<string> {
  return batched(reviewParts(r, format));
}

/**
 * Writes the review to `file` (mode 0600) chunk by chunk, waiting for the disk when the
 * stream's buffer is full, and returns the SHA-256 of the bytes written (what the
 * `reviewed` audit record lists for `jobs verify`).
 */
export async function writeReviewFile(r: ReviewResult | ReviewSource, format: ReviewFormat, file: string): Promise<string> {
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

/**
 * Copies a review file a job wrote (its folder's review.csv/json/html) to `file`, mode
 * 0600 and never through a symlink planted there, like writeReviewFile.
 */
export async function copyReviewFile(stored: Buffer, file: string): Promise<void> {
  await pipeline(Readable.from([stored]), createWriteStream(file, { fd: openPrivateFileSync(file, 'truncate') }));
}

/** A review file a job stored, as text chunks (whole characters: a UTF-8 sequence is never split), for stdout. */
export async function* reviewFileChunks(stored: Buffer): AsyncIterable<string> {
  const decoder = new StringDecoder('utf8');
  for (let at = 0; at < stored.length; at += CHUNK_CHARS) yield decoder.write(stored.subarray(at, at + CHUNK_CHARS));
  const rest = decoder.end();
  if (rest) yield rest;
}
