import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { jobDir } from '../audit/job-folder.js';
import { SeatctlError } from '../errors/index.js';
import { verifyAuditChain, type AuditRecord, type JobStore } from '../store/index.js';
import { imageKey, renderJobReport } from './render-job-report.js';
import { verifyArtifacts, type ArtifactCheck } from './verify-artifacts.js';
import { writePrivateFile } from '../fs/private-files.js';
import { approvalState } from '../engine/approval-state.js';
import { jobKind } from '../engine/job-kinds/index.js';

export interface JobVerification {
  chain: { ok: boolean; records: number; brokenAt?: number | undefined };
  artifacts: ArtifactCheck[];
  ok: boolean;
}

/** Re-checks a job's audit hash chain and every artifact hash (`seatctl jobs verify`). */
export async function verifyJob(store: JobStore, dataDir: string, jobId: string): Promise<JobVerification> {
  const stored = await store.get(jobId);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${jobId}`, { details: { jobId } });
  const records = await store.audit(jobId);
  const verdict = verifyAuditChain(records);
  const artifacts = [...(await verifyArtifacts(jobDir(dataDir, jobId), stored.job.tasks)), ...(await verifyReviewFiles(jobDir(dataDir, jobId), records))];
  const chain = { ok: verdict.ok, records: records.length, ...(verdict.ok ? {} : { brokenAt: verdict.brokenAt }) };
  return { chain, artifacts, ok: chain.ok && artifacts.every((a) => a.ok) };
}

/** A review job's files are listed, with their hashes, in its `reviewed` audit record. */
async function verifyReviewFiles(dir: string, records: AuditRecord[]): Promise<ArtifactCheck[]> {
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
      actual = createHash('sha256').update(await readFile(path.join(dir, path.basename(a.path)))).digest('hex');
    } catch {
      actual = null;
    }
    checks.push({ taskId: '', path: a.path, kind: 'review', caption: a.path === 'roster.csv' ? 'access review roster (as submitted)' : 'access review output', expected: a.sha256, actual, ok: actual === a.sha256 });
  }
  return checks;
}

/**
 * Renders `<dataDir>/jobs/<id>/report.html` (self-contained: screenshots inline) and
 * returns its path. A kind that writes its own report (a finished review's review.html) has that one.
 */
export async function writeJobReport(store: JobStore, dataDir: string, jobId: string): Promise<string> {
  const stored = await store.get(jobId);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${jobId}`, { details: { jobId } });
  const reportFile = jobKind(stored.job.kind).reportFile;
  if (reportFile) {
    const own = path.join(jobDir(dataDir, jobId), reportFile);
    if (await stat(own).then((s) => s.isFile(), () => false)) return own;
  }
  const verification = await verifyJob(store, dataDir, jobId);
  const dir = jobDir(dataDir, jobId);
  const images = new Map<string, string>();
  for (const a of verification.artifacts) {
    if (a.kind !== 'screenshot' || a.actual === null) continue;
    const data = await readFile(path.join(dir, a.taskId, a.path));
    images.set(imageKey(a.taskId, a.path), `data:image/jpeg;base64,${data.toString('base64')}`);
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
  const file = path.join(dir, 'report.html');
  await writePrivateFile(file, html);
  return file;
}
