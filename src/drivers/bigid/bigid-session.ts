import { SeatctlError } from '../../errors/index.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../http/http-client.js';
import type { EvidenceSink } from '../driver.js';

/**
 * BigID session tokens: POST /sessions, then `Authorization: <token>` with no scheme
 * on many deployments (the prefix is a setting). There is no refresh endpoint, so a
 * 401 means log in again and retry once.
 */
export interface BigIdSession {
  send<T>(req: HttpRequest, evidence?: EvidenceSink): Promise<HttpResponse<T>>;
  invalidate(): void;
  readonly logins: number;
}

export function createBigIdSession(deps: { http: HttpClient; username: string; password: () => string; authPrefix: string }): BigIdSession {
  let token: string | null = null;
  let pending: Promise<string> | null = null;
  let logins = 0;

  const login = async (evidence?: EvidenceSink): Promise<string> => {
    // Concurrent tasks share one login instead of racing several.
    pending ??= (async () => {
      try {
        const res = await deps.http.send<{ auth_token?: unknown }>(
          { method: 'POST', path: '/sessions', json: { username: deps.username, password: deps.password() }, sensitive: true },
          evidence,
        );
        const t = res.body?.auth_token;
        if (typeof t !== 'string' || !t) throw new SeatctlError('AUTH_FAILED', 'bigid: login answered without an auth_token');
        logins += 1;
        token = t;
        return t;
      } catch (err) {
        if (err instanceof SeatctlError && err.code === 'SESSION_EXPIRED') {
          throw new SeatctlError('AUTH_FAILED', 'bigid: login refused (check the username and the password secret)', { cause: err });
        }
        throw err;
      } finally {
        pending = null;
      }
    })();
    return pending;
  };

  const authed = (req: HttpRequest, t: string): HttpRequest => ({ ...req, headers: { ...req.headers, authorization: `${deps.authPrefix}${t}` } });

  return {
    get logins() {
      return logins;
    },
    invalidate() {
      token = null;
    },
    async send<T>(req: HttpRequest, evidence?: EvidenceSink) {
      const t = token ?? (await login(evidence));
      try {
        return await deps.http.send<T>(authed(req, t), evidence);
      } catch (err) {
        if (!(err instanceof SeatctlError) || err.code !== 'SESSION_EXPIRED') throw err;
        // Only the first caller to notice re-logs in; the others reuse its token.
        if (token === t) token = null;
        const fresh = token ?? (await login(evidence));
        return deps.http.send<T>(authed(req, fresh), evidence);
      }
    },
  };
}
