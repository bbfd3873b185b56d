import { SeatctlError } from '../../errors/index.js';
import type { HttpResponse } from '../../http/http-client.js';
import type { ApiRequest } from '../api/api-driver-spec.js';
import { scimError } from './scim-error.js';
import type { ScimCtx } from './scim-options.js';
import { isScimUser, type ScimUser } from './scim-user.js';

/**
 * Every SCIM call goes through `scimSend`: the builder's HTTP path (auth header,
 * evidence record, dry-run guard) with SCIM's media type (RFC 7644 §3.8:
 * `application/scim+json`, with plain JSON accepted too) and SCIM's error bodies read
 * into typed errors. Error statuses are taken back from the client (`accept`) so the
 * body's scimType/detail can be read; anything not in `allow` is thrown from here.
 */
export interface ScimRequest extends ApiRequest {
  /** Error statuses the caller handles itself (404 on a read, 409 on a create, 412). */
  allow?: number[];
}

const ERROR_STATUSES = Array.from({ length: 200 }, (_, i) => 400 + i);
const ACCEPT = 'application/scim+json, application/json;q=0.9';

export async function scimSend<T = unknown>(ctx: ScimCtx, req: ScimRequest): Promise<HttpResponse<T>> {
  const { allow = [], ...rest } = req;
  const headers = { accept: ACCEPT, ...(req.json !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...req.headers };
  const res = await ctx.http.send<T>({ ...rest, headers, accept: ERROR_STATUSES });
  if (res.status >= 400 && !allow.includes(res.status)) throw scimError(ctx.app, `${req.method} ${req.path}`, res as HttpResponse<unknown>);
  return res;
}

/** What `/ServiceProviderConfig` (RFC 7643 §5) says; undefined where it says nothing. */
export interface ProviderConfig {
  patch?: boolean;
  etag?: boolean;
  filter?: boolean;
  /** filter.maxResults: the most resources a filtered list returns. */
  filterMaxResults?: number;
  /** false when the server has no /ServiceProviderConfig (Sigma documents none). */
  published: boolean;
}

const supported = (value: unknown): boolean | undefined => {
  const s = (value as { supported?: unknown } | undefined)?.supported;
  return typeof s === 'boolean' ? s : undefined;
};

/**
 * Read once per driver. A server without the endpoint (404/501, or a refusal) is
 * treated as silent: PATCH is tried (RFC 7644 §3.5.2 is what IdPs use) and ETags only
 * when a resource carries one. Auth failures, 429 and 5xx are thrown as usual.
 */
export function providerConfig(ctx: ScimCtx): Promise<ProviderConfig> {
  return ctx.memo('scim-service-provider-config', async () => {
    const res = await scimSend<Record<string, unknown>>(ctx, { method: 'GET', path: '/ServiceProviderConfig', allow: [400, 403, 404, 405, 406, 501] });
    if (res.status >= 400 || typeof res.body !== 'object' || res.body === null) {
      ctx.log.info({ app: ctx.app, status: res.status }, 'no SCIM ServiceProviderConfig: assuming PATCH, ETags only where a resource carries one');
      return { published: false };
    }
    const body = res.body;
    const maxResults = (body.filter as { maxResults?: unknown } | undefined)?.maxResults;
    const patch = supported(body.patch);
    const etag = supported(body.etag);
    const filter = supported(body.filter);
    return {
      published: true,
      ...(patch !== undefined ? { patch } : {}),
      ...(etag !== undefined ? { etag } : {}),
      ...(filter !== undefined ? { filter } : {}),
      ...(typeof maxResults === 'number' && maxResults > 0 ? { filterMaxResults: maxResults } : {}),
    };
  });
}

const etagHeader = (res: HttpResponse<unknown>): string | undefined => {
  const h = res.headers.etag;
  const v = Array.isArray(h) ? h[0] : h;
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * GET /Users/{id}: the user, or null when the server says 404. An `ETag` header
 * (RFC 7644 §3.14) is kept as `meta.version` when the body has none, so the next
 * write can send it in If-Match.
 */
export async function getScimUser(ctx: ScimCtx, id: string): Promise<ScimUser | null> {
  const res = await scimSend<unknown>(ctx, { method: 'GET', path: `/Users/${encodeURIComponent(id)}`, allow: [404] });
  if (res.status === 404) return null;
  if (!isScimUser(res.body)) throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET /Users/${id} answered without a SCIM User`, { details: { app: ctx.app } });
  const tag = etagHeader(res);
  const user = res.body;
  return tag && !user.meta?.version ? { ...user, meta: { ...user.meta, version: tag } } : user;
}
