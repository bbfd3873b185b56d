import { request, type Dispatcher } from 'undici';
import { SeatctlError } from '../errors/index.js';
import type { Redactor } from '../log/redactor.js';
import type { EvidenceSink } from '../model/evidence.js';
import { errorForNetwork, errorForStatus } from './http-error.js';
import { stripUserinfo } from '../log/url-userinfo.js';

/**
 * The one HTTP path API drivers use: timeouts, typed errors, and a request record in
 * the task's evidence for every call (bodies redacted, Authorization never recorded).
 * Retries are not done here: the scheduler decides, because only it knows whether a
 * call was a read or a mutation that must be read back first.
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
  /** Statuses returned to the caller instead of thrown (e.g. 404 on a lookup). */
  accept?: number[];
  /** Keep the body out of evidence entirely (login requests). */
  sensitive?: boolean;
}

export interface HttpResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface HttpClient {
  send<T = unknown>(req: HttpRequest, evidence?: EvidenceSink): Promise<HttpResponse<T>>;
  /** Dry run: records what would be sent, sends nothing. */
  plan(req: HttpRequest, evidence: EvidenceSink): void;
  url(path: string, query?: HttpRequest['query']): string;
}

export interface HttpClientOptions {
  baseUrl: string;
  timeoutMs: number;
  redactor: Redactor;
  dispatcher?: Dispatcher;
  /** Seen by requests for this app: retries and 429s show in logs by app. */
  app: string;
  /**
   * Awaited before every request: in scale-out mode it holds the request while the app
   * is paused for every worker (a 429 seen by another process).
   */
  beforeRequest?: () => Promise<void>;
}

const MAX_RECORDED_BODY = 4_000;

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const { redactor } = options;

  const url = (path: string, query?: HttpRequest['query']): string => {
    const u = new URL(base + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  };
  // What is recorded as evidence never carries userinfo, whatever base a driver module passed.
  const recordedUrl = (path: string, query?: HttpRequest['query']): string => stripUserinfo(url(path, query));

  const recordBody = (body: unknown): unknown => {
    const clean = redactor.scrubDeep(body);
    const text = JSON.stringify(clean);
    if (text !== undefined && text.length > MAX_RECORDED_BODY) return { truncated: true, preview: text.slice(0, MAX_RECORDED_BODY) };
    return clean;
  };

  const requestBodyFor = (req: HttpRequest): unknown => (req.sensitive ? '[omitted: credentials]' : recordBody(req.json ?? req.form));

  return {
    url,
    plan(req, evidence) {
      evidence.add({
        kind: 'request',
        at: new Date().toISOString(),
        method: req.method,
        url: recordedUrl(req.path, req.query),
        status: null,
        durationMs: 0,
        planned: true,
        ...(req.json !== undefined || req.form !== undefined ? { requestBody: requestBodyFor(req) } : {}),
      });
    },
    async send<T>(req: HttpRequest, evidence?: EvidenceSink): Promise<HttpResponse<T>> {
      const target = url(req.path, req.query);
      let body: string | undefined;
      let contentType: string | undefined;
      if (req.json !== undefined) {
        contentType = 'application/json';
        body = JSON.stringify(req.json);
      } else if (req.form) {
        contentType = 'application/x-www-form-urlencoded';
        body = new URLSearchParams(req.form).toString();
      }
      // A caller's own headers win: SCIM sends JSON as `application/scim+json` (RFC 7644 §3.8).
      const headers: Record<string, string> = { accept: 'application/json', ...(contentType ? { 'content-type': contentType } : {}), ...req.headers };
      await options.beforeRequest?.();
      const started = Date.now();
      const record = (status: number | null, responseBody: unknown, error?: string) =>
        evidence?.add({
          kind: 'request',
          at: new Date(started).toISOString(),
          method: req.method,
          url: stripUserinfo(target),
          status,
          durationMs: Date.now() - started,
          ...(body !== undefined ? { requestBody: requestBodyFor(req) } : {}),
          ...(responseBody !== undefined ? { responseBody: req.sensitive ? '[omitted: credentials]' : recordBody(responseBody) } : {}),
          ...(error ? { error: redactor.scrub(error) } : {}),
        });

      let res: Dispatcher.ResponseData;
      try {
        res = await request(target, {
          method: req.method,
          headers,
          body,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
          ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        });
      } catch (err) {
        const typed = errorForNetwork(err, `${options.app}: ${req.method} ${req.path}`, options.timeoutMs);
        record(null, undefined, typed.message);
        throw typed;
      }
      let text: string;
      try {
        text = await res.body.text();
      } catch (err) {
        const typed = errorForNetwork(err, `${options.app}: ${req.method} ${req.path} (reading body)`, options.timeoutMs);
        record(res.statusCode, undefined, typed.message);
        throw typed;
      }
      let parsed: unknown = text;
      if (text && String(res.headers['content-type'] ?? '').includes('json')) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      if (!text) parsed = undefined;
      record(res.statusCode, parsed);
      const ok = (res.statusCode >= 200 && res.statusCode < 300) || req.accept?.includes(res.statusCode);
      if (!ok) {
        const detail = typeof parsed === 'object' && parsed !== null ? ((parsed as Record<string, unknown>).message ?? (parsed as Record<string, unknown>).error) : parsed;
        const reason = typeof detail === 'string' ? detail : detail === undefined ? '' : JSON.stringify(detail);
        throw errorForStatus(
          res.statusCode,
          redactor.scrub(`${options.app}: ${req.method} ${req.path} returned ${res.statusCode}${reason ? `: ${reason.slice(0, 300)}` : ''}`),
          res.headers,
          { app: options.app },
        );
      }
      return { status: res.statusCode, headers: res.headers, body: parsed as T };
    },
  };
}

/** Throws a clear error when an app answers with a shape we do not understand. */
export function expectShape<T>(value: unknown, check: (v: unknown) => v is T, what: string): T {
  if (!check(value)) throw new SeatctlError('UPSTREAM_REJECTED', `unexpected response shape for ${what}`);
  return value;
}
