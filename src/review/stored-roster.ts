import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ArtifactStore } from '../audit/artifact-store.js';
import { SeatctlError } from '../errors/index.js';
import type { ReviewRequest, StoredReviewRequest } from '../model/index.js';

/**
 * A review job's roster is stored exactly once: as the job's artifact `roster.csv`.
 * The job row and the `created` audit record hold only its SHA-256 and size, so the
 * roster is not written three times (row, WAL, audit) and the hash chain still covers
 * it: `jobs verify` re-hashes the file, and the job refuses to run on an edited one.
 */
export const ROSTER_FILE = 'roster.csv';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Writes the inline roster to the job's folder and returns the request as the store keeps it. */
export async function storeRoster(artifacts: ArtifactStore, jobId: string, request: ReviewRequest): Promise<StoredReviewRequest> {
  if (!request.roster) return request;
  const { csv, ...rest } = request.roster;
  const bytes = Buffer.from(csv, 'utf8');
  await artifacts.put(jobId, ROSTER_FILE, bytes, { contentType: 'text/csv; charset=utf-8' });
  return { ...request, roster: { file: ROSTER_FILE, sha256: sha256Hex(bytes), bytes: bytes.length, ...rest } };
}

/** Removes a roster written for a job that was not created (same idempotency key: the existing job keeps its own). */
export async function discardRoster(artifacts: ArtifactStore, jobId: string): Promise<void> {
  await artifacts.discard(jobId);
}

/** The request with its roster inline again, read from the job's folder; an edited or missing file is refused. */
export async function loadRoster(artifacts: ArtifactStore, jobId: string, request: StoredReviewRequest): Promise<ReviewRequest> {
  const roster = request.roster;
  if (!roster || 'csv' in roster) return request as ReviewRequest;
  const { file, sha256, bytes: _bytes, ...rest } = roster;
  let data: Buffer | null;
  try {
    data = await artifacts.get(jobId, path.basename(file));
  } catch (err) {
    throw new SeatctlError('EVIDENCE_MODIFIED', `job ${jobId}: its roster (${file}) cannot be read (${(err as { code?: string }).code ?? 'error'})`, { details: { jobId, path: file } });
  }
  if (!data) throw new SeatctlError('EVIDENCE_MODIFIED', `job ${jobId}: its roster (${file}) cannot be read (ENOENT)`, { details: { jobId, path: file } });
  if (sha256Hex(data) !== sha256) {
    throw new SeatctlError('EVIDENCE_MODIFIED', `job ${jobId}: its roster (${file}) was changed after the job was submitted (SHA-256 does not match the created record)`, { details: { jobId, path: file } });
  }
  return { ...request, roster: { csv: data.toString('utf8'), ...rest } };
}

/**
 * The request with its roster as hash and size, inline or stored alike: what an
 * idempotency check compares, since the store keeps the roster as a file reference
 * while a repeated submit sends it inline again.
 */
export function rosterByHash(request: unknown): unknown {
  const r = request as { kind?: unknown; roster?: Record<string, unknown> | null };
  if (r?.kind !== 'review' || !r.roster) return request;
  const { csv, file: _file, sha256, bytes, ...rest } = r.roster as { csv?: string; file?: string; sha256?: string; bytes?: number };
  const digest = typeof csv === 'string' ? { sha256: sha256Hex(Buffer.from(csv, 'utf8')), bytes: Buffer.byteLength(csv, 'utf8') } : { sha256, bytes };
  return { ...r, roster: { ...rest, ...digest } };
}
