import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ArtifactStore } from '../audit/artifact-store.js';
import { SeatctlError } from '../errors/index.js';
import { verifyAuditChain, type AuditRecord, type JobStore } from '../store/index.js';
import { imageKey, renderJobReport } from './render-job-report.js';
import { verifyArtifacts, type ArtifactCheck } from './verify-artifacts.js';
import { approvalState } from '../engine/approval-state.js';
import { jobKind } from '../engine/job-kinds/index.js';

export interface JobVerification {
  chain: { ok: boolean; records: number; brokenAt?: number | undefined };
  artifacts: ArtifactCheck[];
  ok: boolean;
}

/** Re-checks a job's audit hash chain and every artifact hash (`seatctl jobs verify`). */
export async function verifyJob(store: JobStore, artifacts: ArtifactStore, jobId: string): Promise<JobVerification> {
  const stored = await store.get(jobId);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${jobId}`, { details: { jobId } });
  const records = await store.audit(jobId);
  const verdict = verifyAuditChain(records);
  const checks = [...(await verifyArtifacts(artifacts, jobId, stored.job.tasks)), ...(await verifyReviewFiles(artifacts, jobId, records))];
  const chain = { ok: verdict.ok, records: records.length, ...(verdict.ok ? {} : { brokenAt: verdict.brokenAt }) };
  return { chain, artifacts: checks, ok: chain.ok && checks.every((a) => a.ok) };
}

/** A review job's files are listed, with their hashes, in its `reviewed` audit record. */
async function verifyReviewFiles(artifacts: ArtifactStore, jobId: string, records: AuditRecord[]): Promise<ArtifactCheck[]> {
  const reviewed = records.findLast((r) => r.kind === 'reviewed');
  // The roster submitted with the job is stored once, as a file whose hash the `created` record holds.
  const created = records.find((r) => r.kind === 'created');
  const roster = (created?.data as { request?: { roster?: { file?: string; sha256?: string } } } | undefined)?.request?.roster;
  const listed = [
    ...(roster?.file && roster.sha256 ? [{ path: roster.file, sha256: roster.sha256 }] : []),
    ...((reviewed?.data as { artifacts?: { path: string; sha256: string }[] } | undefined)?.artifacts ?? []),
  ];
  const checks: ArtifactCheck[] = [];
  for (const a of listed) {
    let actual: string | null = null;
    try {
      const data = await artifacts.get(jobId, path.basename(a.path));
      actual = data ? createHash('sha256').update(data).digest('hex') : null;
    } catch {
      actual = null;
    }
    checks.push({ taskId: '', path: a.path, kind: 'review', caption: a.path === 'roster.csv' ? 'access review roster (as submitted)' : 'access review output', expected: a.sha256, actual, ok: actual === a.sha256 });
  }
  return checks;
}

/** A job's report as stored: its key in the job's artifacts, and its bytes. */
export interface WrittenReport {
  path: 'report.html' | 'review.html';
  html: Buffer;
}

/**
 * Renders the job's `report.html` (self-contained: screenshots inline, read from the
 * artifact store, so any API node can render any job's report) and stores it beside
 * the evidence. A finished review job's report is its review.html.
 */
export async function writeJobReport(store: JobStore, artifacts: ArtifactStore, jobId: string): Promise<WrittenReport> {
  const stored = await store.get(jobId);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${jobId}`, { details: { jobId } });
  const reportFile = jobKind(stored.job.kind).reportFile;
  if (reportFile) {
    const own = await artifacts.get(jobId, reportFile);
    if (own) return { path: reportFile, html: own };
  }
  const verification = await verifyJob(store, artifacts, jobId);
  const images = new Map<string, string>();
  for (const a of verification.artifacts) {
    if (a.kind !== 'screenshot' || a.actual === null) continue;
    const data = await artifacts.get(jobId, `${a.taskId}/${a.path}`);
    if (data) images.set(imageKey(a.taskId, a.path), `data:image/jpeg;base64,${data.toString('base64')}`);
  }
  const html = renderJobReport({
    job: stored.job,
    planHash: stored.planHash,
    approvedHash: stored.approvedHash,
    approvedBy: stored.approvedBy,
    approvalReasons: stored.approvalReasons,
    requestedBy: stored.meta.requestedBy ?? null,
    approval: approvalState(stored),
    chain: verification.chain,
    artifacts: verification.artifacts,
    images,
    generatedAt: new Date().toISOString(),
  });
  // Rendered afresh each time (the verification is of now): a document, not evidence.
  await artifacts.replace(jobId, 'report.html', html);
  return { path: 'report.html', html: Buffer.from(html, 'utf8') };
}
