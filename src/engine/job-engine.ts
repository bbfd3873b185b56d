import path from 'node:path';
import type { ApprovalsConfig } from '../config/approval-schema.js';
import { SeatctlError } from '../errors/index.js';
import type { Job, JobRequest, Task } from '../model/index.js';
import type { Decision, JobMeta, JobStore, StoredJob } from '../store/job-store.js';
import { approvalRequirement, requesterMayConfirm } from './approval-policy.js';
import { decisionRefused, refuseRequester } from './decision-rules.js';
import { jobKind, type KindContext } from './job-kinds/index.js';
import type { ReviewHooks, SubmitOptions } from './job-kinds/job-kind.js';
import { planHash } from './plan-hash.js';
import type { Runtime } from './runtime.js';
import { createTaskSteps } from './task-steps.js';
import { localDispatcher, type StepDispatcher } from './step-dispatcher.js';

/**
 * The durable job lifecycle shared by the CLI and the service:
 * planned → planning → (awaiting_approval) → running → succeeded | failed | cancelled.
 * Every state change is written to the store before the next step, and a task's
 * intent is written before each external mutation, so a process killed at any point
 * resumes without changing an account twice or leaving a task hanging.
 */
export interface JobEngineDeps {
  runtime: Runtime;
  store: JobStore;
  approvals: ApprovalsConfig;
  onTask?: (task: Task, job: Job) => void;
  /** A job created by another (a review's orphan offboarding): the service starts it like a submitted one. */
  onSpawn?: (jobId: string) => void;
  /** Hooks into review jobs this process runs: progress, and orphans the caller offboards itself (the CLI). */
  review?: ReviewHooks;
  /** Where task steps run; default: in this process. */
  dispatcher?: StepDispatcher;
}


export interface JobEngine {
  submit(request: JobRequest, options?: SubmitOptions): Promise<{ stored: StoredJob; created: boolean }>;
  /**
   * Stores a job built elsewhere from `request` (a replay of recorded tasks, a test's
   * handcrafted job), to be processed like any other: one executor for every job.
   */
  submitJob(job: Job, request: JobRequest, options?: SubmitOptions): Promise<{ stored: StoredJob; created: boolean }>;
  /** Plans (if needed) and runs a job as far as it can go: to the end, or to an approval. */
  process(jobId: string): Promise<StoredJob>;
  /**
   * One approval of exactly this plan hash by `by`, who must not be the requester (unless
   * `approvals.allowSelfApproval`). Resolves with the job as this approval left it:
   * `approvedHash === planHash` only for the approval that completed the count, so only
   * that caller starts the job.
   */
  approve(jobId: string, hash: string, by: string): Promise<StoredJob>;
  /** A rejection of this plan hash with a reason: the job ends `cancelled`. Not by the requester (they cancel). */
  reject(jobId: string, hash: string, by: string, reason: string): Promise<StoredJob>;
  /**
   * The requester's own "yes" at a terminal, for a job that waits only because they asked
   * to see the plan (see requesterMayConfirm); counts as their approval. Same result as approve.
   */
  confirm(jobId: string, hash: string, by: string): Promise<StoredJob>;
  cancel(jobId: string, by: string): Promise<StoredJob>;
  /** Picks up jobs a previous process left unfinished. */
  resume(): Promise<string[]>;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);

/** A job with any failed task failed (the others still ran); a dry run ends planned. */
export function finalStatus(job: Job): Job['status'] {
  return job.tasks.some((t) => t.outcome === 'failed') ? 'failed' : job.dryRun ? 'planned' : 'succeeded';
}

export function createJobEngine(deps: JobEngineDeps): JobEngine {
  const { runtime, store } = deps;
  const dispatcher = deps.dispatcher ?? localDispatcher(createTaskSteps({ runtime, store, onTask: deps.onTask }));
  const inFlight = new Map<string, Promise<StoredJob>>();

  const must = async (jobId: string): Promise<StoredJob> => {
    const stored = await store.get(jobId);
    if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${jobId}`, { details: { jobId } });
    return stored;
  };

  const audit = (jobId: string, kind: string, data: unknown) => store.appendAudit(jobId, kind, runtime.redactor.scrubDeep(data));

  const saveTask = async (task: Task, job: Job) => {
    await store.saveTask(task);
    deps.onTask?.(task, job);
  };

  async function finish(stored: StoredJob): Promise<StoredJob> {
    const { job } = stored;
    job.status = finalStatus(job);
    job.finishedAt = new Date().toISOString();
    await store.setStatus(job.id, job.status, job.finishedAt);
    await audit(job.id, 'finished', { status: job.status, outcomes: job.tasks.map((t) => ({ task: t.id, outcome: t.outcome, error: t.error?.code ?? null })) });
    await runtime.artifacts.replace(job.id, 'job.json', JSON.stringify(runtime.redactor.scrubDeep(job), null, 2));
    return must(job.id);
  }

  async function plan(stored: StoredJob): Promise<StoredJob> {
    const { job } = stored;
    await Promise.all(
      job.tasks.filter((t) => t.status === 'pending' || t.status === 'planning').map(async (t) => {
        await dispatcher.plan(job, t);
        if (dispatcher.remote) deps.onTask?.(t, job);
      }),
    );
    const refused = job.tasks.filter((t) => t.error?.code === 'ROLE_INVALID');
    if (refused.length) return refusePlan(stored, refused);
    const hash = planHash(job);
    const request = stored.meta.request;
    const { reasons, approvers } = job.dryRun ? { reasons: [], approvers: 0 } : approvalRequirement(job, deps.approvals, request.kind !== 'review' && request.requireApproval);
    await store.setPlan(job.id, hash, reasons, approvers);
    await audit(job.id, 'planned', { planHash: hash, reasons, approvers, tasks: job.tasks.map((t) => ({ task: t.id, operations: t.plan?.operations ?? [], summary: t.plan?.summary ?? t.detail })) });
    return must(job.id);
  }

  /**
   * A request is validated as a whole: an invalid role in any app means the request was
   * wrong, so no app is changed (a person created in BigID but not in Sigma is a half-done
   * provisioning someone must now clean up). The other tasks are cancelled, not failed.
   */
  async function refusePlan(stored: StoredJob, refused: Task[]): Promise<StoredJob> {
    const { job } = stored;
    const why = refused.map((t) => `${t.app}: ${t.error?.message ?? 'invalid role'}`).join('; ');
    for (const t of job.tasks) {
      if (t.status !== 'planned') continue;
      Object.assign(t, { status: 'cancelled', outcome: null, detail: `not applied: the plan was refused (${why})`, finishedAt: new Date().toISOString() });
      await saveTask(t, job);
    }
    await audit(job.id, 'plan_refused', { tasks: refused.map((t) => ({ task: t.id, app: t.app, error: t.error?.code })) });
    return finish((await store.get(job.id))!);
  }

  async function waitForApproval(stored: StoredJob): Promise<StoredJob> {
    for (const t of stored.job.tasks) {
      if (t.status === 'planned') {
        t.outcome = 'awaiting_approval';
        t.detail = `awaiting approval: ${t.plan?.summary ?? ''}`;
        await saveTask(t, stored.job);
      }
    }
    await store.setStatus(stored.job.id, 'awaiting_approval');
    await audit(stored.job.id, 'awaiting_approval', { planHash: stored.planHash, reasons: stored.approvalReasons, approvers: stored.approversRequired });
    return must(stored.job.id);
  }

  /** Applies planned tasks; a task whose target changed since the plan goes back for approval. */
  async function apply(stored: StoredJob): Promise<StoredJob> {
    const { job } = stored;
    await store.setStatus(job.id, 'running');
    job.status = 'running';
    const needsApproval = stored.approvalReasons.length > 0;
    let replanned = false;
    await Promise.all(
      job.tasks.map(async (t) => {
        if (t.status !== 'planned' && t.status !== 'running') return;
        if ((await dispatcher.apply(job, t, { needsApproval })) === 'replanned') replanned = true;
        if (dispatcher.remote) deps.onTask?.(t, job);
      }),
    );
    if (replanned) {
      const again = await store.get(job.id);
      const hash = planHash(again!.job);
      await store.setPlan(job.id, hash, [...stored.approvalReasons, 'the target changed after approval'], stored.approversRequired);
      return waitForApproval((await store.get(job.id))!);
    }
    return finish((await store.get(job.id))!);
  }

  /** Records one decision (the store checks state, hash and duplicates atomically), then audits it. */
  async function decide(stored: StoredJob, decision: Omit<Decision, 'at'>): Promise<StoredJob> {
    const jobId = stored.job.id;
    const at = new Date().toISOString();
    const result = await store.decide(jobId, { ...decision, at });
    if (!result.ok) throw decisionRefused(jobId, stored, decision, result.refused);
    const { stored: after, complete } = result;
    const approvals = new Set(after.decisions.filter((d) => d.decision === 'approve' && d.planHash === decision.planHash).map((d) => d.by)).size;
    if (decision.decision === 'reject') {
      await audit(jobId, 'rejected', { planHash: decision.planHash, by: decision.by, at, reason: decision.reason });
      for (const t of after.job.tasks) if (!TERMINAL.has(t.status)) await store.saveTask({ ...t, status: 'cancelled', outcome: t.outcome === 'awaiting_approval' ? null : t.outcome, finishedAt: at });
      return must(jobId);
    }
    await audit(jobId, 'approved', { planHash: decision.planHash, by: decision.by, at, approvals, required: after.approversRequired, complete });
    return after;
  }

  async function processOnce(jobId: string): Promise<StoredJob> {
    let stored = await must(jobId);
    if (TERMINAL.has(stored.job.status)) return stored;
    if (stored.meta.runAt && Date.parse(stored.meta.runAt) > Date.now()) return stored;
    // A kind that runs by itself (a review) has no plan or approval; the others go plan → approve → apply.
    const own = jobKind(stored.meta.request.kind).run;
    if (own) return own(stored, kindContext);
    if (!stored.planHash || stored.job.tasks.some((t) => t.status === 'pending' || t.status === 'planning')) {
      await store.setStatus(jobId, 'planning');
      stored.job.status = 'planning';
      stored = await plan(stored);
    }
    if (TERMINAL.has(stored.job.status)) return stored;
    if (stored.approvalReasons.length && stored.approvedHash !== stored.planHash) return waitForApproval(stored);
    return apply(stored);
  }

  /** Stores a built job with its request (or finds the one with the same idempotency key). */
  async function record(job: Job, request: JobRequest, options: SubmitOptions, discard?: () => Promise<void>): Promise<{ stored: StoredJob; created: boolean }> {
    const meta: JobMeta = {
      request,
      idempotencyKey: options.idempotencyKey,
      runAt: options.runAt,
      requestedBy: options.requestedBy,
    };
    const result = await store.create(job, meta).catch(async (err: unknown) => {
      await discard?.();
      throw err;
    });
    if (!result.created) await discard?.();
    if (result.created) await audit(job.id, 'created', { kind: job.kind, request, requestedBy: meta.requestedBy ?? null, runAt: meta.runAt ?? null });
    return result;
  }

  const engine: JobEngine = {
    async submit(request, options = {}) {
      const built = await jobKind(request.kind).build(request, kindContext);
      return record(built.job, built.request, options, built.discard);
    },
    submitJob: (job, request, options = {}) => record(job, request, options),
    process(jobId) {
      // One runner per job in this process, however many callers ask.
      const existing = inFlight.get(jobId);
      if (existing) return existing;
      const p = processOnce(jobId).finally(() => inFlight.delete(jobId));
      inFlight.set(jobId, p);
      return p;
    },
    async approve(jobId, hash, by) {
      const stored = await must(jobId);
      refuseRequester(stored, by, 'approve', deps.approvals);
      if (stored.job.status !== 'awaiting_approval') throw new SeatctlError('CONFLICT', `job ${jobId} is ${stored.job.status}, not awaiting approval`);
      return decide(stored, { planHash: hash, by, decision: 'approve', reason: null });
    },
    async reject(jobId, hash, by, reason) {
      const stored = await must(jobId);
      refuseRequester(stored, by, 'reject', deps.approvals);
      if (stored.job.status !== 'awaiting_approval') throw new SeatctlError('CONFLICT', `job ${jobId} is ${stored.job.status}, not awaiting approval`);
      // A pasted credential in the reason must not reach the store, the API or the report.
      return decide(stored, { planHash: hash, by, decision: 'reject', reason: runtime.redactor.scrub(reason) });
    },
    async confirm(jobId, hash, by) {
      const stored = await must(jobId);
      if (stored.meta.requestedBy !== by) return engine.approve(jobId, hash, by);
      if (!requesterMayConfirm(stored.job, deps.approvals)) refuseRequester(stored, by, 'approve', deps.approvals);
      if (stored.job.status !== 'awaiting_approval') throw new SeatctlError('CONFLICT', `job ${jobId} is ${stored.job.status}, not awaiting approval`);
      return decide(stored, { planHash: hash, by, decision: 'approve', reason: null });
    },
    async cancel(jobId, by) {
      const stored = await must(jobId);
      if (TERMINAL.has(stored.job.status)) throw new SeatctlError('CONFLICT', `job ${jobId} is already ${stored.job.status}`);
      if (stored.job.status === 'running') throw new SeatctlError('CONFLICT', `job ${jobId} is running; it cannot be cancelled mid-change`);
      const at = new Date().toISOString();
      for (const t of stored.job.tasks) if (!TERMINAL.has(t.status)) await store.saveTask({ ...t, status: 'cancelled', outcome: t.outcome === 'awaiting_approval' ? null : t.outcome, finishedAt: at });
      await store.setStatus(jobId, 'cancelled', at);
      await audit(jobId, 'cancelled', { by });
      return must(jobId);
    },
    async resume() {
      const unfinished = await store.unfinished();
      for (const s of unfinished) await audit(s.job.id, 'resumed', { status: s.job.status });
      await Promise.all(unfinished.map((s) => engine.process(s.job.id).catch((err) => runtime.log.error({ job: s.job.id, err: (err as Error).message }, 'resume failed'))));
      return unfinished.map((s) => s.job.id);
    },
  };
  const kindContext: KindContext = { runtime, store, get: must, audit, submit: (request, options) => engine.submit(request, options), onSpawn: deps.onSpawn, review: deps.review };
  return engine;
}
