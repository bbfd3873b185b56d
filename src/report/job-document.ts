import { jobDir } from '../audit/job-folder.js';
import type { Job } from '../model/index.js';
import { approvalWaits, jobTiming, taskDurationMs } from '../engine/job-timing.js';
import type { JobStore, StoredJob } from '../store/index.js';
import { approvalState } from '../engine/approval-state.js';
import { jobKind } from '../engine/job-kinds/index.js';

/** The job as JSON, one object with stable keys: the CLI's --json, the HTTP API and the web console all show this. */
export function jobDocument(job: Job, dataDir: string) {
  return {
    job: {
      id: job.id,
      kind: job.kind,
      status: job.status,
      dryRun: job.dryRun,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      dir: jobDir(dataDir, job.id),
      tasks: job.tasks.map((t) => ({
        id: t.id,
        app: t.app,
        action: t.action,
        email: t.subject.email,
        status: t.status,
        startedAt: t.startedAt,
        finishedAt: t.finishedAt,
        outcome: t.outcome,
        detail: t.detail,
        notes: t.notes,
        attempts: t.attempts,
        ...(t.error ? { error: t.error } : {}),
        ...(t.plan?.steps ? { steps: t.plan.steps } : {}),
        before: t.plan?.before ? { id: t.plan.before.id, status: t.plan.before.status, role: t.plan.before.role } : null,
        after: t.after ? { id: t.after.id, status: t.after.status, role: t.after.role } : null,
        evidence: {
          dir: `${jobDir(dataDir, job.id)}/${t.id}`,
          requests: t.evidence.filter((e) => e.kind === 'request').length,
          files: t.evidence.flatMap((e) => ('path' in e ? [e.path] : [])),
        },
      })),
    },
  };
}

/**
 * Who a job is about, as `jobs list` shows it: its tasks' people (each address once,
 * whatever its case), or for a review, which is about everyone, its roster's source.
 */
export function jobPeople(stored: StoredJob): string[] {
  const own = jobKind(stored.job.kind).people;
  if (own) return own(stored.meta.request);
  const seen = new Map<string, string>();
  for (const t of stored.job.tasks) if (!seen.has(t.subject.email.toLowerCase())) seen.set(t.subject.email.toLowerCase(), t.subject.email);
  return [...seen.values()];
}

/**
 * The job as the API and `--json` show it, with its plan hash, approval state, people
 * and times (durations leave out approval waits: see src/engine/job-timing.ts).
 */
export function storedJobDocument(stored: StoredJob, dataDir: string, now = Date.now()) {
  const doc = jobDocument(stored.job, dataDir);
  const waits = approvalWaits(stored.statusHistory, now);
  return {
    job: {
      ...doc.job,
      ...jobTiming(stored, now),
      people: jobPeople(stored),
      planHash: stored.planHash,
      approval: {
        ...approvalState(stored),
        reasons: stored.approvalReasons,
        approvedHash: stored.approvedHash,
        approvedBy: stored.approvedBy,
      },
      requestedBy: stored.meta.requestedBy ?? null,
      idempotencyKey: stored.meta.idempotencyKey ?? null,
      runAt: stored.meta.runAt ?? null,
      tasks: doc.job.tasks.map((t, i) => ({ ...t, durationMs: taskDurationMs(t, waits, now), plan: stored.job.tasks[i]?.plan ? { operations: stored.job.tasks[i]!.plan!.operations, ...(stored.job.tasks[i]!.plan!.steps ? { steps: stored.job.tasks[i]!.plan!.steps } : {}), summary: stored.job.tasks[i]!.plan!.summary } : null })),
    },
  };
}

/**
 * The job document, plus what its kind adds from the store: for a review job its result
 * (completeness, per-app counts, verdict counts, files, orphan job) from the hash-chained
 * `reviewed` audit record, as `review`.
 */
export async function fullJobDocument(store: JobStore, stored: StoredJob, dataDir: string): Promise<{ job: ReturnType<typeof storedJobDocument>['job'] & { review?: ReviewDocument | null } }> {
  const doc = storedJobDocument(stored, dataDir);
  const extra = jobKind(stored.job.kind).document;
  if (!extra) return doc;
  return { job: { ...doc.job, ...(await extra(store, stored)) } };
}

export interface ReviewDocument {
  complete: boolean;
  apps: { app: string; complete: boolean; count: number; error?: { code: string; message: string } }[];
  rows: number;
  orphans: number;
  counts: Record<string, Record<string, number>> | null;
  artifacts: { path: string; sha256: string }[];
  offboardJob: string | null;
}

interface DocumentWithPaths {
  job: { id: string; dir: string; tasks: { id: string; evidence: { dir: string } }[] };
}

/**
 * Over HTTP a job document names no path on the server (it would tell a client where
 * the data dir is): the folders become the artifacts route under which their files are
 * served. The CLI keeps absolute folders, which a person can open as printed.
 */
export function withoutServerPaths<T extends DocumentWithPaths>(doc: T): T {
  const base = `/v1/jobs/${encodeURIComponent(doc.job.id)}/artifacts/`;
  return {
    ...doc,
    job: { ...doc.job, dir: base, tasks: doc.job.tasks.map((t) => ({ ...t, evidence: { ...t.evidence, dir: `${base}${encodeURIComponent(t.id)}/` } })) },
  };
}
