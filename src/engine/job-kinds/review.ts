import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { scratchDir } from '../../audit/job-folder.js';
import { SeatctlError, toSeatctlError } from '../../errors/index.js';
import type { ReviewRequest, StoredReviewRequest } from '../../model/index.js';
import { orphanTargets, reviewRoster, runReview, type OrphanTarget, type ReviewSummary } from '../../review/run-review.js';
import { discardRoster, loadRoster, storeRoster } from '../../review/stored-roster.js';
import type { StoredJob } from '../../store/job-store.js';
import { newId } from '../new-id.js';
import type { JobKindHandler, KindContext, ReviewHooks } from './job-kind.js';

/**
 * What a caller watching a review in this process may hook into (the CLI's progress bars,
 * and its own orphan offboarding).
 */
/** A finished review's result as its `reviewed` audit record holds it (and the job document shows it). */
export type ReviewRecord = ReviewSummary & { offboardJob: string | null };

/**
 * An access review: lists every selected app's users, reconciles them against a roster
 * if one came with it, and writes review.csv/json/html into the job's folder. It reads
 * only, so it has no plan or approval.
 */
export const reviewKind: JobKindHandler<StoredReviewRequest> = {
  kind: 'review',
  async build(request, { runtime }) {
    if (request.roster && !('csv' in request.roster)) throw new SeatctlError('USAGE', 'roster: give the roster CSV inline (`roster.csv`)', { details: { field: 'roster' } });
    const inline = request as ReviewRequest;
    // A bad or oversized roster is refused now, with its line numbers, before anything is stored.
    reviewRoster(inline, runtime.config.review);
    const apps = request.apps === 'all' ? Object.keys(runtime.config.apps) : request.apps;
    const unknown = apps.filter((a) => !runtime.config.apps[a]);
    if (unknown.length) throw new SeatctlError('USAGE', `apps: unknown app(s) ${unknown.join(', ')} (configured: ${Object.keys(runtime.config.apps).join(', ')})`, { details: { field: 'apps' } });
    const job = { id: newId('job'), kind: 'review' as const, status: 'planned' as const, dryRun: false, createdAt: new Date().toISOString(), finishedAt: null, tasks: [] };
    const stored = await storeRoster(runtime.artifacts, job.id, inline);
    return { job, request: stored, ...(inline.roster ? { discard: () => discardRoster(runtime.artifacts, job.id) } : {}) };
  },
  run: review,
  requesterMayConfirm: true,
  undoable: false,
  people: (request) => [request.roster?.source ?? 'review'],
  async document(store, stored) {
    const reviewed = (await store.audit(stored.job.id)).findLast((r) => r.kind === 'reviewed');
    return { review: (reviewed?.data as ReviewRecord | undefined) ?? null };
  },
  reportFile: 'review.html',
};

/**
 * Lists, reconciles and writes the review's files, and fails when any app's listing was
 * incomplete. A review cut short by a crash simply runs again on resume. Orphans it is
 * asked to offboard become a new offboarding job (idempotent per review), planned and
 * approved like any other.
 */
async function review(stored: StoredJob, ctx: KindContext): Promise<StoredJob> {
  const { runtime, store } = ctx;
  const { job } = stored;
  await store.setStatus(job.id, 'running');
  let request: ReviewRequest;
  let run: Awaited<ReturnType<typeof runReview>>;
  // The outputs are streamed to a local folder, then stored as the job's artifacts.
  await mkdir(scratchDir(runtime.config.dataDir), { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(scratchDir(runtime.config.dataDir), `${job.id}-`));
  try {
    // Reconciling against a roster other than the one submitted (and hashed) would be a review nobody asked for.
    request = await loadRoster(runtime.artifacts, job.id, stored.meta.request as StoredReviewRequest);
    const onProgress = ctx.review?.onProgress;
    run = await runReview(runtime, request, { dir, limits: runtime.config.review, ...(onProgress ? { onProgress: (app: string, read: number, total: number | null) => onProgress(job.id, app, read, total) } : {}) });
    for (const file of run.summary.artifacts) await runtime.artifacts.putFile(job.id, file.path, path.join(dir, file.path));
  } catch (err) {
    // An edited roster, or a listing past `review.maxRows`: the job fails with the reason, and no review files are written.
    const e = toSeatctlError(err);
    await rm(dir, { recursive: true, force: true });
    await store.setStatus(job.id, 'failed', new Date().toISOString());
    await ctx.audit(job.id, 'finished', { status: 'failed', error: { code: e.code, message: e.message } });
    return ctx.get(job.id);
  }
  const { result, summary } = run;
  let offboardJob: string | null = null;
  const targets = result.reconciliation && request.offboardOrphans ? orphanTargets(result.reconciliation) : [];
  const takeOrphans = ctx.review?.takeOrphans;
  if (takeOrphans && request.offboardOrphans) takeOrphans(job.id, targets);
  else if (targets.length) {
    const spawned = await ctx.submit(
      // An incomplete review's orphans are still real accounts, but a person looks first.
      { kind: 'offboard', people: targets, apps: 'all', mode: 'deactivate', dryRun: false, requireApproval: !summary.complete },
      { idempotencyKey: `review-orphans:${job.id}`, requestedBy: `review:${job.id}` },
    );
    offboardJob = spawned.stored.job.id;
    if (spawned.created) ctx.onSpawn?.(offboardJob);
  }
  await ctx.audit(job.id, 'reviewed', { ...summary, offboardJob });
  const status = summary.complete ? 'succeeded' : 'failed';
  const finishedAt = new Date().toISOString();
  await store.setStatus(job.id, status, finishedAt);
  await ctx.audit(job.id, 'finished', { status, incomplete: summary.apps.filter((a) => !a.complete).map((a) => a.app) });
  await rm(dir, { recursive: true, force: true });
  await runtime.artifacts.replace(job.id, 'job.json', JSON.stringify({ ...job, status, finishedAt, review: { ...summary, offboardJob } }, null, 2));
  return ctx.get(job.id);
}
