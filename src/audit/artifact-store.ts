import { createHash } from 'node:crypto';
import { SeatctlError } from '../errors/index.js';

/**
 * Where a job's files live: task evidence (screenshots, traces, HTML, `evidence.json`),
 * `job.json`, reports, a review's roster and outputs. Files under the data dir on one
 * machine (file-artifact-store.ts), a PostgreSQL table when several machines serve
 * reports (postgres-artifact-store.ts). Keys are a job id and a relative path inside
 * that job (`t01-stitch/03-deactivate.jpg`, `report.html`).
 */
export interface ArtifactStore {
  /**
   * Stores evidence, append-only: a path once written is never overwritten. Putting the
   * same bytes again is a no-op (a task re-run after a crash); other bytes are refused
   * with `ARTIFACT_EXISTS`.
   */
  put(jobId: string, relPath: string, data: Buffer | string, options?: PutOptions): Promise<StoredArtifact>;
  /**
   * Stores a local file as evidence (a review output streamed to disk), same rules as
   * `put`; the local file is consumed (moved or deleted).
   */
  putFile(jobId: string, relPath: string, localFile: string, options?: PutOptions): Promise<StoredArtifact>;
  /**
   * Writes a document seatctl regenerates from what it already holds, replacing any
   * earlier version: a task's `evidence.json` index (rewritten after each phase),
   * `job.json` and `report.html`. Never used for a file whose hash is recorded.
   */
  replace(jobId: string, relPath: string, data: Buffer | string, options?: PutOptions): Promise<StoredArtifact>;
  /** The file's bytes, or null when there is none. */
  get(jobId: string, relPath: string): Promise<Buffer | null>;
  /** Size and a version tag that changes with the content (for caches), or null. */
  stat(jobId: string, relPath: string): Promise<{ bytes: number; version: string } | null>;
  /** Every file of a job, with its hash, sorted by path. */
  list(jobId: string): Promise<StoredArtifact[]>;
  /**
   * Removes everything of a job. Only for a job that was never created (a roster stored
   * before an idempotent submit found an existing job); evidence of a real job stays.
   */
  discard(jobId: string): Promise<void>;
  close(): Promise<void>;
}

export interface PutOptions {
  contentType?: string;
}

export interface StoredArtifact {
  path: string;
  sha256: string;
  bytes: number;
}

export const sha256Of = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

const JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** Job ids are generated (`job_…`, `replay_…`); anything else is not a key. */
export function checkJobId(jobId: string): string {
  if (!JOB_ID.test(jobId)) throw new SeatctlError('USAGE', 'job id: not a job id', { details: { field: 'id' } });
  return jobId;
}

/**
 * A key inside a job: relative, `/`-separated (a `\` counts as one, as a client on
 * Windows would send it), no empty, `.` or `..` segment, no NUL, and no segment starting
 * with a dot, which is where seatctl keeps its own temporary files. The same rules as the
 * artifact routes apply (src/fs/safe-artifact-path.ts), so a key that cannot be served
 * cannot be stored either.
 */
export function artifactKey(relPath: string): string {
  const key = relPath.replace(/\\/g, '/');
  const segments = key.split('/');
  if (!key || key.length > 500 || key.includes('\0') || key.startsWith('/') || segments.some((s) => s === '' || s === '..' || s === '.' || s.startsWith('.'))) {
    throw new SeatctlError('USAGE', 'artifact path: not a path inside the job folder', { details: { field: 'path' } });
  }
  return key;
}

export const artifactExists = (jobId: string, key: string): SeatctlError =>
  new SeatctlError('ARTIFACT_EXISTS', `job ${jobId}: ${key} is already stored with other content; evidence is never overwritten`, { details: { jobId, path: key } });
