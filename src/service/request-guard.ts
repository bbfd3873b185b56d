import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Guards against the browser as a confused deputy. Without a token the service listens
 * on loopback only, yet any web page the operator opens can still reach it: by DNS
 * rebinding (a hostile name that resolves to 127.0.0.1, so `Host` is that name) and by
 * "simple" cross-site POSTs (`text/plain`, no preflight). So:
 * - `Host` must be a loopback name or one of `service.allowedHosts` when there is no
 *   token (with a token, only when `allowedHosts` is configured: a service behind a
 *   load balancer has names we cannot guess);
 * - a state change whose `Origin` is not this service's own origin is refused;
 * - every POST must be `application/json`, which a cross-site form cannot send
 *   without a CORS preflight that this service never answers; the web console's form
 *   routes alone take `application/x-www-form-urlencoded`, and check a CSRF token.
 */
export interface RequestGuardOptions {
  /** Extra host names (no port) clients use to reach the service, e.g. `seatctl.corp.example`. */
  allowedHosts: readonly string[];
  /** True when the service runs without a bearer token (loopback only). */
  tokenless: boolean;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `host[:port]` → lower-case host without the port; IPv6 keeps its brackets. */
export function hostnameOf(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d+$/, '');
}

function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.includes(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).send({ error: { code, message } });
}

export function registerRequestGuard(app: FastifyInstance, options: RequestGuardOptions): void {
  const allowed = new Set(options.allowedHosts.map((h) => h.toLowerCase()));
  const checkHost = options.tokenless || allowed.size > 0;

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // Load balancers probe health by IP; the answer tells a rebinding page nothing.
    if (req.url === '/healthz') return;
    const host = req.headers.host ?? '';
    const hostname = hostnameOf(host);
    if (checkHost && !(allowed.has(hostname) || (options.tokenless && isLoopbackName(hostname)))) {
      return refuse(reply, 421, 'HOST_NOT_ALLOWED', `Host "${hostname.slice(0, 100)}" is not a name this service answers to (loopback names, or service.allowedHosts)`);
    }
    if (!STATE_CHANGING.has(req.method)) return;
    const origin = req.headers.origin;
    if (origin !== undefined && !sameOrigin(origin, host)) {
      return refuse(reply, 403, 'ORIGIN_REFUSED', 'cross-origin requests may not change anything');
    }
    if (req.method === 'POST') {
      const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      // Console forms (routes marked `forms`) also carry a CSRF token tied to the session.
      const forms = (req.routeOptions.config as { forms?: boolean } | undefined)?.forms === true && type === 'application/x-www-form-urlencoded';
      if (type !== 'application/json' && !forms) return refuse(reply, 415, 'UNSUPPORTED_MEDIA_TYPE', 'POST bodies must be application/json');
    }
  });
}

/** `Origin: null` (sandboxed frames, file:) and any other scheme/host/port are foreign. */
function sameOrigin(origin: string, host: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host.toLowerCase() === host.trim().toLowerCase();
}
