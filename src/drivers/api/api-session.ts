import { SeatctlError } from '../../errors/index.js';
import type { EvidenceSink } from '../driver.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http/http-client.js';
import type { ApiAuth } from './api-driver-spec.js';

/**
 * Auth headers for one API app, shared by every task of the process: one sign-in in
 * flight at a time, kept until it expires, and replaced once when the app answers 401
 * (only by the first caller to notice, so a burst of 401s is one sign-in, not many).
 */
export interface ApiSession {
  send<T>(req: HttpRequest, evidence: EvidenceSink): Promise<HttpResponse<T>>;
  invalidate(): void;
}

export function createApiSession(options: {
  app: string;
  http: HttpClient;
  /** Absent for apps without sign-in (a static API key header goes in `headers` of each request). */
  authenticate: ((evidence: EvidenceSink) => Promise<ApiAuth>) | undefined;
  now?: () => number;
}): ApiSession {
  const now = options.now ?? Date.now;
  let current: { headers: Record<string, string>; expiresAt: number } | null = null;
  let pending: Promise<Record<string, string>> | null = null;

  const signIn = (evidence: EvidenceSink): Promise<Record<string, string>> => {
    const authenticate = options.authenticate;
    if (!authenticate) return Promise.resolve({});
    pending ??= (async () => {
      try {
        const auth = await authenticate(evidence);
        const ttl = auth.expiresInMs ?? Number.POSITIVE_INFINITY;
        current = { headers: auth.headers, expiresAt: now() + Math.max(0, ttl) };
        return auth.headers;
      } catch (err) {
        // A 401 on the sign-in itself is not an expired session: the credentials are wrong.
        if (err instanceof SeatctlError && err.code === 'SESSION_EXPIRED') {
          throw new SeatctlError('AUTH_FAILED', `${options.app}: sign-in refused (check the credentials and their secrets)`, { cause: err });
        }
        throw err;
      } finally {
        pending = null;
      }
    })();
    return pending;
  };

  const headersFor = (evidence: EvidenceSink): Promise<Record<string, string>> =>
    current && current.expiresAt > now() ? Promise.resolve(current.headers) : signIn(evidence);

  const withHeaders = (req: HttpRequest, headers: Record<string, string>): HttpRequest => ({ ...req, headers: { ...req.headers, ...headers } });

  return {
    invalidate() {
      current = null;
    },
    async send<T>(req: HttpRequest, evidence: EvidenceSink) {
      const used = await headersFor(evidence);
      try {
        return await options.http.send<T>(withHeaders(req, used), evidence);
      } catch (err) {
        if (!options.authenticate || !(err instanceof SeatctlError) || err.code !== 'SESSION_EXPIRED') throw err;
        if (current?.headers === used) current = null;
        return options.http.send<T>(withHeaders(req, await headersFor(evidence)), evidence);
      }
    },
  };
}
