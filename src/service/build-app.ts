import { createHash } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { formatIssues } from '../config/format-issues.js';
import type { LoadedConfig } from '../config/load-config.js';
import { driverNames } from '../config/load-config.js';
import type { JobEngine } from '../engine/job-engine.js';
import type { Runtime } from '../engine/runtime.js';
import { SeatctlError, toSeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { writeJobReport } from '../report/write-report.js';
import type { JobStore } from '../store/index.js';
import { canonicalJson } from '../store/canonical-json.js';
import type { Authenticator } from '../auth/authenticator.js';
import { LOOPBACK_PRINCIPAL, permits, type Permission, type Principal } from '../auth/principal.js';
import { registerRequestGuard } from './request-guard.js';
import { createJobBodySchema, idempotencyKeySchema, JOB_BODY_LIMIT, listQuerySchema, REVIEW_BODY_LIMIT, undoBodySchema } from './job-body.js';
import { approveBodySchema, rejectBodySchema } from '../model/index.js';
import type { Metrics } from './metrics.js';
import { fullJobDocument, storedJobDocument, withoutServerPaths } from '../report/job-document.js';
import { rosterByHash } from '../review/stored-roster.js';
import { openApiDocument } from './openapi.js';
import { artifactContentType } from '../fs/safe-artifact-path.js';
import type { JobEvents } from '../engine/job-events.js';
import { registerConsole } from '../web/register-console.js';
import type { ConsoleDeps } from '../web/console-route.js';

export const SERVICE_VERSION = '0.1.0';

/** Reports are self-contained: inline styles and data: images, never a script, never framed. */
const REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

export interface AppDeps {
  engine: JobEngine;
  store: JobStore;
  runtime: Runtime;
  config: LoadedConfig;
  metrics: Metrics;
  log: Logger;
  /** null only on loopback (serve refuses otherwise): every caller is the local admin. */
  auth: Authenticator | null;
  /** Starts a submitted job in the background; the service tracks it for shutdown. */
  launch(jobId: string): void;
  /** False once shutdown began: new jobs are refused with 503. */
  accepting(): boolean;
  /** Job changes, for the console's live job pages. */
  events?: JobEvents;
  /** Web console options (sessions shared with OIDC sign-in, the SSO link). */
  console?: Pick<ConsoleDeps, 'sessions' | 'ssoLoginPath'>;
}

const STATUS_FOR: Partial<Record<string, number>> = { USAGE: 400, CONFIG_INVALID: 400, JOB_NOT_FOUND: 404, ARTIFACT_NOT_FOUND: 404, CONFLICT: 409, FORBIDDEN: 403, SELF_APPROVAL: 403, IDP_UNAVAILABLE: 503, STORE_UNAVAILABLE: 503 };

function sendError(reply: FastifyReply, status: number, code: string, message: string, field?: string): FastifyReply {
  return reply.status(status).send({ error: { code, message, ...(field ? { field } : {}) } });
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new SeatctlError('USAGE', formatIssues(r.error.issues), { details: { field: first?.path.join('.') || '(body)' } });
  }
  return r.data;
}

/**
 * The job's idempotency key from the body or the `Idempotency-Key` header, validated by
 * the same rule. Node joins repeated headers into `k1, k2`: `headersDistinct` keeps them
 * apart, and two headers (or a header and a body key that differ) are a client error,
 * never a merged key.
 */
function idempotencyKeyOf(headerValues: string[] | undefined, bodyKey: string | undefined): string | undefined {
  const field = 'Idempotency-Key';
  if (headerValues && headerValues.length > 1) throw new SeatctlError('USAGE', `${field}: send the header once (got ${headerValues.length})`, { details: { field } });
  const header = headerValues?.[0];
  if (header === undefined) return bodyKey;
  const checked = idempotencyKeySchema.safeParse(header);
  if (!checked.success) throw new SeatctlError('USAGE', `${field}: ${checked.error.issues[0]?.message ?? 'invalid'}`, { details: { field } });
  if (bodyKey !== undefined && bodyKey !== header) throw new SeatctlError('USAGE', `${field}: differs from the body's idempotencyKey; send one`, { details: { field } });
  return header;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route but /healthz. */
    principal: Principal | null;
  }
}

/** The HTTP app, buildable without listening (tests inject requests; `serve` listens). */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, return503OnClosing: true, requestTimeout: 30_000 });
  // First hook: a request from a rebinding or cross-site page is refused before auth or parsing.
  registerRequestGuard(app, { allowedHosts: deps.config.service.allowedHosts, tokenless: deps.auth === null });

  app.decorateRequest('principal', null);
  const web = registerConsole(app, { ...deps, ...deps.console });
  // Routes marked `config: { public: true }` (sign-in) are how a caller without credentials gets some.
  const open = (req: FastifyRequest) => req.url === '/healthz' || (req.routeOptions.config as { public?: boolean }).public === true;
  app.addHook('onRequest', async (req, reply) => {
    if (open(req)) return;
    // Console pages authenticate by session cookie; the API only by bearer header.
    if (web.owns(req)) return web.authenticate(req, reply);
    const principal = deps.auth === null ? LOOPBACK_PRINCIPAL : await deps.auth.authenticate(req.headers.authorization);
    if (!principal) return sendError(reply.header('www-authenticate', 'Bearer'), 401, 'UNAUTHORIZED', 'a valid bearer token is required');
    req.principal = principal;
  });
  // Every route names the permission it needs; a route that forgets is closed to all but reads.
  app.addHook('preHandler', async (req, reply) => {
    // The console's own public pages (sign-in, assets) need no permission either.
    if (open(req) || (req.routeOptions.config as { console?: string }).console === 'public') return;
    const needed: Permission | undefined = (req.routeOptions.config as { permission?: Permission }).permission ?? (req.method === 'GET' || req.method === 'HEAD' ? 'read' : undefined);
    if (!needed || !req.principal || !permits(req.principal, needed)) {
      return sendError(reply, 403, 'FORBIDDEN', `${req.principal?.name ?? 'caller'} may not ${needed ?? 'do this'} (roles: ${req.principal?.roles.join(', ') || 'none'})`);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    const fastifyErr = err as { statusCode?: number; code?: string; message: string };
    if (fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'request body too large (64 KiB; 9 MiB for a review with a roster)');
    if (fastifyErr.statusCode && fastifyErr.statusCode < 500 && !(err instanceof SeatctlError)) return sendError(reply, fastifyErr.statusCode, 'BAD_REQUEST', fastifyErr.message);
    const e = toSeatctlError(err);
    const status = STATUS_FOR[e.code] ?? 500;
    if (status === 500) deps.log.error({ code: e.code }, e.message);
    return sendError(reply, status, e.code, status === 500 ? 'internal error' : deps.runtime.redactor.scrub(e.message), typeof e.details.field === 'string' ? e.details.field : undefined);
  });

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/v1/openapi.json', async () => openApiDocument(SERVICE_VERSION));

  app.get('/metrics', async (_req, reply) => {
    const apps = Object.fromEntries(Object.values(deps.config.apps).map((a) => [a.name, driverNames(a)]));
    reply.type('text/plain; version=0.0.4');
    return deps.metrics.render(deps.store, deps.runtime.scheduler, apps);
  });

  // The route accepts a review's roster; any other kind is held to the usual 64 KiB.
  app.post('/v1/jobs', { bodyLimit: REVIEW_BODY_LIMIT, config: { permission: 'submit' } }, async (req, reply) => {
    if (!deps.accepting()) return sendError(reply, 503, 'SHUTTING_DOWN', 'the service is shutting down');
    const size = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : Buffer.byteLength(JSON.stringify(req.body ?? null));
    if (size > JOB_BODY_LIMIT && (req.body as { kind?: unknown } | null)?.kind !== 'review') {
      return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'request body larger than 64 KiB (only a review with a roster may be larger)');
    }
    const body = parse(createJobBodySchema, req.body);
    const { idempotencyKey, runAt, ...request } = body;
    // `headersDistinct` is Node's; an injected request (tests, buildApp without listen) lacks it.
    const rawKey = req.raw.headersDistinct?.['idempotency-key'] ?? req.headers['idempotency-key'];
    const key = idempotencyKeyOf(rawKey === undefined ? undefined : ([] as string[]).concat(rawKey), idempotencyKey);
    const { stored, created } = await deps.engine.submit(request, { idempotencyKey: key, runAt, requestedBy: req.principal!.id });
    // A key names one request: the same key with another body is a client bug, never the old job.
    if (!created && bodyHash(stored.meta.request, stored.meta.runAt) !== bodyHash(request, runAt)) {
      return sendError(reply, 409, 'IDEMPOTENCY_KEY_REUSED', `idempotency key already used for job ${stored.job.id} with a different request body`, 'idempotencyKey');
    }
    if (created) deps.launch(stored.job.id);
    return reply.status(created ? 202 : 200).send(withoutServerPaths(storedJobDocument(stored, deps.config.dataDir)));
  });

  app.get('/v1/jobs', async (req) => {
    const q = parse(listQuerySchema, req.query);
    const page = await deps.store.list({ status: q.status, email: q.email, cursor: q.cursor, limit: q.limit });
    return { jobs: page.jobs.map((s) => withoutServerPaths(storedJobDocument(s, deps.config.dataDir)).job), nextCursor: page.nextCursor };
  });

  app.get<{ Params: { id: string } }>('/v1/jobs/:id', async (req) => withoutServerPaths(await fullJobDocument(deps.store, await mustGet(deps.store, req.params.id), deps.config.dataDir)));

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/approve', { config: { permission: 'approve' } }, async (req) => {
    const { planHash } = parse(approveBodySchema, req.body);
    const stored = await deps.engine.approve(req.params.id, planHash, req.principal!.id);
    // Only the approval that completed the count starts the job; earlier ones just wait.
    if (stored.approvedHash === stored.planHash) deps.launch(stored.job.id);
    return withoutServerPaths(storedJobDocument(stored, deps.config.dataDir));
  });

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/reject', { config: { permission: 'approve' } }, async (req) => {
    const { planHash, reason } = parse(rejectBodySchema, req.body);
    return withoutServerPaths(storedJobDocument(await deps.engine.reject(req.params.id, planHash, req.principal!.id, reason), deps.config.dataDir));
  });

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/undo', { config: { permission: 'submit' } }, async (req, reply) => {
    if (!deps.accepting()) return sendError(reply, 503, 'SHUTTING_DOWN', 'the service is shutting down');
    await mustGet(deps.store, req.params.id);
    const body = parse(undoBodySchema, req.body ?? {});
    // A reversal always waits for a person: it changes accounts nobody asked about today.
    const { stored } = await deps.engine.submit({ kind: 'undo', jobId: req.params.id, dryRun: body.dryRun, requireApproval: true }, { requestedBy: req.principal!.id });
    deps.launch(stored.job.id);
    return reply.status(202).send(withoutServerPaths(storedJobDocument(stored, deps.config.dataDir)));
  });

  app.post<{ Params: { id: string } }>('/v1/jobs/:id/cancel', { config: { permission: 'cancel' } }, async (req) => withoutServerPaths(storedJobDocument(await deps.engine.cancel(req.params.id, req.principal!.id), deps.config.dataDir)));

  app.get<{ Params: { id: string } }>('/v1/jobs/:id/report', async (req, reply) => {
    await mustGet(deps.store, req.params.id);
    // Rendered from the artifact store (any API node can serve any job), and sent as rendered.
    const { html } = await writeJobReport(deps.store, deps.runtime.artifacts, req.params.id);
    reply.type('text/html; charset=utf-8').header('x-content-type-options', 'nosniff').header('content-security-policy', `${REPORT_CSP}; frame-ancestors 'none'`);
    return reply.send(html);
  });

  app.get<{ Params: { id: string; '*': string } }>('/v1/jobs/:id/artifacts/*', async (req, reply) => {
    await mustGet(deps.store, req.params.id);
    const key = req.params['*'];
    const data = await deps.runtime.artifacts.get(req.params.id, key);
    if (!data) throw new SeatctlError('ARTIFACT_NOT_FOUND', 'no such artifact');
    reply.type(artifactContentType(key)).header('x-content-type-options', 'nosniff');
    reply.header('content-security-policy', key.endsWith('.html') ? `${REPORT_CSP}; frame-ancestors 'none'` : "default-src 'none'; frame-ancestors 'none'");
    return reply.send(data);
  });

  return app;
}

/**
 * The request as validated (defaults filled in), canonical JSON, hashed: key order and
 * defaults spelled out or left implicit do not make two bodies differ.
 */
function bodyHash(request: unknown, runAt: string | undefined): string {
  return createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify({ request: rosterByHash(request), runAt: runAt ?? null })))).digest('hex');
}

async function mustGet(store: JobStore, id: string) {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new SeatctlError('USAGE', 'job id: not a job id', { details: { field: 'id' } });
  const stored = await store.get(id);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${id}`);
  return stored;
}
