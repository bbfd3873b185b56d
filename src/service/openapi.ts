import { z } from 'zod';
import { createJobBodySchema, listQuerySchema, undoBodySchema } from './job-body.js';
import { approveBodySchema, rejectBodySchema } from '../model/index.js';

/**
 * The HTTP API as OpenAPI 3.1, built from the same zod schemas that validate the
 * requests (so it cannot drift). Served at GET /v1/openapi.json; docs/openapi.json is
 * the checked-in copy, compared with this in a test.
 */
const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' });

const errorBody = {
  type: 'object',
  required: ['error'],
  properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } } } },
};
const jobBody = {
  type: 'object',
  description:
    'The job: status (planned, planning, awaiting_approval, running, succeeded, failed, cancelled), people, runAt, createdAt, startedAt, finishedAt, durationMs (time worked: startedAt to finishedAt or now, minus the time awaiting approval), approvalWaitMs, plan hash, approval state, and tasks with status, startedAt, finishedAt, durationMs, plan, outcome, error and evidence.',
  properties: { job: { type: 'object' } },
};
const ok = (description: string, content: object = { 'application/json': { schema: jobBody } }) => ({ description, content });
const err = (description: string) => ({ description, content: { 'application/json': { schema: errorBody } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' } };

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'seatctl job service', version, description: 'Submit, approve and inspect SaaS user-lifecycle jobs. Every route but /healthz and the OIDC sign-in routes needs `Authorization: Bearer <token>` (a configured token, or a JWT from the IdP with service.oidc).' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      '/healthz': { get: { security: [], summary: 'liveness', responses: { 200: ok('alive', { 'application/json': { schema: { type: 'object' } } }) } } },
      // Registered only with service.oidc.clientId: the browser's way to a console session.
      '/auth/oidc/login': { get: { security: [], summary: 'console sign-in with the IdP: redirects to it (authorization code + PKCE)', responses: { 302: { description: 'to the IdP, with a short-lived state cookie' }, 503: err('IDP_UNAVAILABLE') } } },
      '/auth/oidc/callback': {
        get: {
          security: [],
          summary: 'where the IdP returns the browser: checks state, exchanges the code, starts a console session',
          responses: {
            200: ok('signed in: a page that moves on to /', { 'text/html': { schema: { type: 'string' } } }),
            400: err('OIDC_STATE_MISMATCH: not started here, expired, or forged'),
            401: err('OIDC_SIGN_IN_FAILED: the IdP refused the code (replayed, wrong verifier) or the ID token failed verification'),
            403: err('FORBIDDEN: no role mapped for this IdP user'),
            503: err('IDP_UNAVAILABLE'),
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { 200: ok('text exposition', { 'text/plain': { schema: { type: 'string' } } }), 401: err('no or wrong token') } } },
      '/v1/openapi.json': { get: { summary: 'this document', responses: { 200: ok('OpenAPI', { 'application/json': { schema: { type: 'object' } } }) } } },
      '/v1/jobs': {
        post: {
          summary: 'submit a job (offboard | provision | set-role | review)',
          description: 'A review lists every account of the chosen apps, optionally reconciled against an inline roster (CSV); its CSV, JSON and HTML outputs are artifacts of the job (review.csv, review.json, review.html) and its report is review.html.',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: schema(createJobBodySchema) } } },
          responses: { 202: ok('accepted: planning starts'), 200: ok('an existing job with the same idempotency key and the same body'), 400: err('invalid body; `field` names the field'), 409: err('IDEMPOTENCY_KEY_REUSED: the key was used before with a different body'), 401: err('no or wrong token'), 413: err('body over 64 KiB (9 MiB for a review with a roster)'), 503: err('shutting down') },
        },
        get: {
          summary: 'list jobs, newest first; `email` keeps the jobs about that person (exact address, any case)',
          parameters: Object.entries((schema(listQuerySchema) as { properties: Record<string, unknown> }).properties).map(([name, s]) => ({ name, in: 'query', required: false, schema: s })),
          responses: { 200: ok('a page of jobs and nextCursor', { 'application/json': { schema: { type: 'object', properties: { jobs: { type: 'array' }, nextCursor: { type: ['string', 'null'] } } } } }), 400: err('bad query') },
        },
      },
      '/v1/jobs/{id}': { get: { summary: 'one job (a review job also carries `review`: completeness, per-app counts, verdict counts, its files)', parameters: [idParam], responses: { 200: ok('the job'), 404: err('no such job') } } },
      '/v1/jobs/{id}/approve': {
        post: {
          summary: 'approve exactly the reviewed plan',
          description:
            'Needs the `approve` permission, and the caller must not be the job\'s requester (separation of duties; `approvals.allowSelfApproval` lifts this). A plan may need several distinct approvers (`job.approval.approvers`); the job runs when the last one approves the current plan hash, and `job.approval.needed` says how many are still missing.',
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(approveBodySchema) } } },
          responses: {
            200: ok('approval recorded; the job runs when it was the last one needed'),
            403: err('FORBIDDEN: no approve permission; SELF_APPROVAL: the caller requested this job'),
            409: err('not awaiting approval, the plan hash is stale, this caller already approved this plan, or it is already approved'),
            404: err('no such job'),
          },
        },
      },
      '/v1/jobs/{id}/reject': {
        post: {
          summary: 'reject exactly the reviewed plan, with a reason; the job ends cancelled',
          description: 'Needs the `approve` permission; the requester cannot reject their own job (they cancel it). The rejection, its reason, principal and time are kept in the audit chain and shown in `job.approval.rejection` and the report.',
          parameters: [idParam],
          requestBody: { required: true, content: { 'application/json': { schema: schema(rejectBodySchema) } } },
          responses: {
            200: ok('rejected; the job is cancelled'),
            400: err('invalid body (a reason is required)'),
            403: err('FORBIDDEN: no approve permission; SELF_APPROVAL: the caller requested this job'),
            409: err('not awaiting approval, or the plan hash is stale'),
            404: err('no such job'),
          },
        },
      },
      '/v1/jobs/{id}/undo': {
        post: {
          summary: "create a reversal job from the job's recorded before-states (waits for approval)",
          parameters: [idParam],
          requestBody: { required: false, content: { 'application/json': { schema: schema(undoBodySchema) } } },
          responses: { 202: ok('the reversal job'), 404: err('no such job'), 409: err('not finished, or nothing to reverse') },
        },
      },
      '/v1/jobs/{id}/cancel': { post: { summary: 'cancel a job that has not started changing anything', parameters: [idParam], responses: { 200: ok('cancelled'), 403: err('FORBIDDEN: no cancel permission'), 409: err('already finished or running') } } },
      '/v1/jobs/{id}/report': { get: { summary: 'self-contained HTML report', parameters: [idParam], responses: { 200: ok('HTML', { 'text/html': { schema: { type: 'string' } } }), 404: err('no such job') } } },
      '/v1/jobs/{id}/artifacts/{path}': {
        get: {
          summary: 'an evidence file (screenshot, trace, evidence.json); paths outside the job folder are refused',
          parameters: [idParam, { name: 'path', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('the file', { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }), 400: err('path outside the job folder'), 404: err('no such file') },
        },
      },
    },
  };
}
