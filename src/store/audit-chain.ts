import { createHash } from 'node:crypto';
import type { AuditRecord } from './job-store.js';
import { canonicalJson } from './canonical-json.js';

/**
 * The audit log's hash chain, kept apart from any store so the report and
 * `seatctl jobs verify` check a chain with exactly the code that built it.
 */

/** prevHash of a job's first record: there is nothing before it to bind to. */
export const GENESIS_HASH = '0'.repeat(64);

/** Sequence number of a job's first audit record. */
export const FIRST_AUDIT_SEQ = 1;

export type AuditContent = Pick<AuditRecord, 'seq' | 'jobId' | 'at' | 'kind' | 'data'>;

/** sha256(prevHash + canonicalJson({seq, jobId, at, kind, data})), hex. */
export function auditHash(prevHash: string, content: AuditContent): string {
  const { seq, jobId, at, kind, data } = content;
  return createHash('sha256').update(prevHash).update(canonicalJson({ seq, jobId, at, kind, data })).digest('hex');
}

export interface ChainVerdict {
  ok: boolean;
  /** seq of the first record that does not verify (or that follows a gap). */
  brokenAt?: number;
}

/**
 * Checks one job's records, in log order. An edited record fails its own hash; a
 * removed or reordered one breaks the next record's link or the seq run. Dropping the
 * last records leaves a shorter chain that still verifies: that needs an outside
 * anchor (e.g. the last hash printed in the report), which is the caller's business.
 */
export function verifyAuditChain(records: readonly AuditRecord[]): ChainVerdict {
  let prevHash = GENESIS_HASH;
  let expectedSeq = FIRST_AUDIT_SEQ;
  const jobId = records[0]?.jobId;
  for (const record of records) {
    const intact =
      record.seq === expectedSeq &&
      record.jobId === jobId &&
      record.prevHash === prevHash &&
      record.hash === auditHash(prevHash, record);
    if (!intact) return { ok: false, brokenAt: record.seq };
    prevHash = record.hash;
    expectedSeq += 1;
  }
  return { ok: true };
}
