import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { StoredJob } from '../store/index.js';
import { toSeatctlError, SeatctlError } from '../errors/index.js';
import { artifactContentType } from '../fs/safe-artifact-path.js';
import { jobStatusSchema, offboardRequestSchema } from '../model/index.js';
import { verifyJob } from '../report/write-report.js';
import type { ConsoleSessions } from './console-sessions.js';
import { approvalState, renderJobPage, TERMINAL_STATUSES } from './job-page.js';
import { renderJobsPage, typedForm, type TypedForm } from './jobs-page.js';
import { page } from './layout.js';
import { listJobs } from './list-jobs.js';
import { sendPage, sessionOf, type ConsoleDeps, type ConsoleRouteConfig } from './console-route.js';
import { readReviewRows } from './review-rows-reader.js';
import { renderReviewPage, REVIEW_PAGE_SIZE } from './review-page.js';
import { openJobEventStream } from './job-event-stream.js';

export interface JobRoutesDeps extends ConsoleDeps {
  sessions: ConsoleSessions;
  streams: Set<() => void>;
}

const JOBS_PAGE_SIZE = 50;
const JOB_ID = /^[A-Za-z0-9_-]{1,100}$/;

const blank = (v: unknown) => (v === '' ? undefined : v);
const jobsQuery = z.object({
  status: z.preprocess(blank, jobStatusSchema.optional()),
  email: z.preprocess(blank, z.string().max(254).optional()),
  cursor: z.preprocess(blank, z.string().max(500).optional()),
  done: z.string().max(40).optional(),
});
const reviewQuery = z.object({
  app: z.preprocess(blank, z.string().max(100).optional()),
  verdict: z.preprocess(blank, z.string().max(40).optional()),
  email: z.preprocess(blank, z.string().max(254).optional()),
  page: z.preprocess(blank, z.coerce.number().int().min(1).max(100_000).default(1)),
});
const planForm = z.object({ planHash: z.string().regex(/^[0-9a-f]{64}$/, 'a 64-character hex SHA-256') });
const rejectForm = planForm.extend({ reason: z.string().trim().min(1, 'say why').max(1000) });
const submitForm = z.object({
  email: z.email(),
  /** Empty when the form's field is left blank. */
  transferTo: z.preprocess((v) => (v === '' ? undefined : v), z.email({ message: 'must be an email address' }).optional()),
  apps: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(z.string().min(1)).min(1, 'choose at least one app')),
  dryRun: z.literal('true').optional(),
  requireApproval: z.literal('true').optional(),
});

/** Fixed notices after an action (the query names one; its text is ours, never the URL's). */
const NOTICES: Record<string, string> = {
  submitted: 'Job submitted.',
  approved: 'Approved. The job runs now.',
  rejected: 'Rejected.',
  undo: 'Undo job submitted; it waits for an approver.',
};

const STATUS_OF: Partial<Record<string, number>> = { USAGE: 400, FORBIDDEN: 403, SELF_APPROVAL: 403, JOB_NOT_FOUND: 404, ARTIFACT_NOT_FOUND: 404, CONFLICT: 409 };


function parseOr400<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new SeatctlError('USAGE', `${issue?.path.join('.') || 'form'}: ${issue?.message ?? 'invalid'}`, { details: { field: issue?.path.join('.') ?? '' } });
  }
  return r.data;
}

export function registerJobRoutes(scope: FastifyInstance, deps: JobRoutesDeps): void {
  const session = (permission: ConsoleRouteConfig['permission'], forms = false) => ({ config: { console: 'session', permission, ...(forms ? { forms } : {}) } satisfies ConsoleRouteConfig });

  const mustGet = async (id: string) => {
    if (!JOB_ID.test(id)) throw new SeatctlError('JOB_NOT_FOUND', 'no such job');
    const stored = await deps.store.get(id);
    if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${id}`);
    return stored;
  };

  const chrome = (req: FastifyRequest, title: string) => ({ title, principal: req.principal, csrf: sessionOf(req).csrf });

  const jobPage = async (req: FastifyRequest, reply: FastifyReply, stored: StoredJob, status = 200, extra: { notice?: string; error?: string } = {}) => {
    const verification = TERMINAL_STATUSES.has(stored.job.status) ? await verifyJob(deps.store, deps.runtime.artifacts, stored.job.id) : null;
    const body = renderJobPage({ principal: req.principal!, csrf: sessionOf(req).csrf, stored, verification, ...extra });
    return sendPage(reply, status, page(chrome(req, `Job ${stored.job.id}`), body));
  };

  /**
   * Every console change: the session's CSRF token must come with the form (the
   * request guard has already refused a foreign Origin). A refused or failed action
   * shows the job page again with the reason, with the matching HTTP status.
   */
  const action = (fn: (req: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>, reply: FastifyReply) => Promise<unknown>) =>
    async (req: FastifyRequest<{ Params: { id: string }; Body: Record<string, unknown> }>, reply: FastifyReply) => {
      if (!deps.sessions.csrfOk(sessionOf(req), req.body?._csrf)) {
        return reply.status(403).send({ error: { code: 'CSRF', message: 'missing or wrong CSRF token; reload the page and try again' } });
      }
      try {
        return await fn(req, reply);
      } catch (err) {
        const e = toSeatctlError(err);
        const status = STATUS_OF[e.code] ?? 500;
        if (status === 500) deps.log.error({ code: e.code }, e.message);
        const message = status === 500 ? 'internal error' : deps.runtime.redactor.scrub(e.message);
        const stored = req.params.id ? await deps.store.get(req.params.id).catch(() => null) : null;
        if (stored) return jobPage(req, reply, stored, status, { error: message });
        // A refused submit form: the jobs page again, with the reason and what was typed.
        return jobsPage(req, reply, status, {}, { error: message, ...(req.params.id ? {} : { typed: typedForm(req.body) }) });
      }
    };

  const jobsPage = async (req: FastifyRequest, reply: FastifyReply, status: number, q: Partial<Pick<Parameters<typeof listJobs>[1], 'status' | 'email' | 'cursor'>>, extra: { notice?: string | undefined; error?: string | undefined; typed?: TypedForm }) => {
    const { jobs, nextCursor } = await listJobs(deps.store, { status: q.status, email: q.email, cursor: q.cursor, limit: JOBS_PAGE_SIZE });
    const body = renderJobsPage({
      principal: req.principal!,
      csrf: sessionOf(req).csrf,
      jobs,
      nextCursor,
      filter: { status: q.status, email: q.email },
      apps: Object.keys(deps.config.apps),
      ...extra,
    });
    return sendPage(reply, status, page(chrome(req, 'Jobs'), body));
  };

  scope.get('/jobs', session('read'), async (req, reply) => {
    const q = parseOr400(jobsQuery, req.query);
    return jobsPage(req, reply, 200, q, { notice: q.done ? NOTICES[q.done] : undefined });
  });

  scope.post('/jobs', session('submit', true), action(async (req, reply) => {
    if (!deps.accepting()) throw new SeatctlError('CONFLICT', 'the service is shutting down');
    const form = parseOr400(submitForm, req.body);
    const request = parseOr400(offboardRequestSchema, { kind: 'offboard', email: form.email, apps: form.apps, ...(form.transferTo ? { transferTo: form.transferTo } : {}), dryRun: form.dryRun === 'true', requireApproval: form.requireApproval === 'true' });
    const { stored } = await deps.engine.submit(request, { requestedBy: req.principal!.id });
    deps.launch(stored.job.id);
    return reply.redirect(`/jobs/${encodeURIComponent(stored.job.id)}?done=submitted`, 303);
  }));

  scope.get<{ Params: { id: string }; Querystring: { done?: string } }>('/jobs/:id', session('read'), async (req, reply) => {
    const stored = await mustGet(req.params.id);
    return jobPage(req, reply, stored, 200, { notice: req.query.done ? NOTICES[req.query.done] : undefined });
  });

  scope.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/jobs/:id/approve', session('approve', true), action(async (req, reply) => {
    const { planHash } = parseOr400(planForm, req.body);
    const stored = await mustGet(req.params.id);
    refuseOwnJob(req.principal!, stored);
    await deps.engine.approve(stored.job.id, planHash, req.principal!.id);
    deps.launch(stored.job.id);
    return reply.redirect(`/jobs/${encodeURIComponent(stored.job.id)}?done=approved`, 303);
  }));

  scope.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/jobs/:id/reject', session('approve', true), action(async (req, reply) => {
    const { planHash, reason } = parseOr400(rejectForm, req.body);
    const stored = await mustGet(req.params.id);
    refuseOwnJob(req.principal!, stored);
    await deps.engine.reject(stored.job.id, planHash, req.principal!.id, reason);
    return reply.redirect(`/jobs/${encodeURIComponent(stored.job.id)}?done=rejected`, 303);
  }));

  scope.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/jobs/:id/undo', session('submit', true), action(async (req, reply) => {
    if (!deps.accepting()) throw new SeatctlError('CONFLICT', 'the service is shutting down');
    const original = await mustGet(req.params.id);
    // As POST /v1/jobs/:id/undo: a reversal always waits for a person.
    const { stored } = await deps.engine.submit({ kind: 'undo', jobId: original.job.id, dryRun: false, requireApproval: true }, { requestedBy: req.principal!.id });
    deps.launch(stored.job.id);
    return reply.redirect(`/jobs/${encodeURIComponent(stored.job.id)}?done=undo`, 303);
  }));

  scope.get<{ Params: { id: string } }>('/jobs/:id/events', session('read'), async (req, reply) => {
    const stored = await mustGet(req.params.id);
    await openJobEventStream(req, reply, stored.job.id, () => mustGet(stored.job.id), deps.events, deps.streams);
  });

  scope.get<{ Params: { id: string; '*': string } }>('/jobs/:id/files/*', session('read'), async (req, reply) => {
    const stored = await mustGet(req.params.id);
    const key = req.params['*'];
    const data = await deps.runtime.artifacts.get(stored.job.id, key);
    if (!data) throw new SeatctlError('ARTIFACT_NOT_FOUND', 'no such artifact');
    const type = artifactContentType(key);
    reply.type(type).header('x-content-type-options', 'nosniff').header('content-security-policy', "default-src 'none'; frame-ancestors 'none'").header('cache-control', 'private, no-store');
    // Only images show inline; anything else (a trace zip) downloads.
    if (!type.startsWith('image/')) reply.header('content-disposition', 'attachment');
    return reply.send(data);
  });

  scope.get<{ Params: { id: string } }>('/jobs/:id/review', session('read'), async (req, reply) => {
    const stored = await mustGet(req.params.id);
    const q = parseOr400(reviewQuery, req.query);
    const filter = { app: q.app, verdict: q.verdict, email: q.email };
    const result = stored.job.kind === 'review' ? await readReviewRows(deps.runtime.artifacts, stored.job.id, filter, (q.page - 1) * REVIEW_PAGE_SIZE, REVIEW_PAGE_SIZE) : null;
    return sendPage(reply, 200, page(chrome(req, `Review ${stored.job.id}`), renderReviewPage({ jobId: stored.job.id, filter, page: q.page, result })));
  });
}

/**
 * Separation of duties, checked here as well as in the engine: the console never
 * lets a job's requester approve or reject it, whatever roles they hold.
 */
function refuseOwnJob(principal: Principal, stored: StoredJob): void {
  if (approvalState(principal, stored) === 'own-job') throw new SeatctlError('FORBIDDEN', 'you requested this job; another approver must approve or reject it');
}
