import { cookieValue } from '../http/cookies.js';
import { randomBytes } from 'node:crypto';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { LOOPBACK_PRINCIPAL } from '../auth/principal.js';
import { CONSOLE_CSS, CONSOLE_JS, CSS_PATH, JS_PATH } from './console-assets.js';
import { consoleCookie, createConsoleSessions, type ConsoleSessions } from './console-sessions.js';
import { registerJobRoutes } from './job-routes.js';
import { rememberSession, routeConsole, sendPage, sessionOf, type ConsoleDeps, type ConsoleRouteConfig } from './console-route.js';
import { page } from './layout.js';
import { renderSignInPage } from './sign-in-page.js';

export interface ConsoleHandle {
  sessions: ConsoleSessions;
  /** True for the console's own routes, which the service authenticates by session cookie. */
  owns(req: FastifyRequest): boolean;
  /** The onRequest step for console routes: sets req.principal or answers (redirect / 401). */
  authenticate(req: FastifyRequest, reply: FastifyReply): Promise<unknown>;
}

/** Pre-session cookie for the sign-in form (login CSRF), a few minutes long. */
const SIGN_IN_COOKIE = 'seatctl-signin';

export function registerConsole(app: FastifyInstance, deps: ConsoleDeps): ConsoleHandle {
  const sessions = deps.sessions ?? createConsoleSessions();
  /** Enders of open server-sent-event streams. */
  const streams = new Set<() => void>();

  app.register(async (scope) => {
    // Forms only here: /v1 keeps refusing anything but JSON.
    await scope.register(formbody, { bodyLimit: 16 * 1024 });

    const pub = { config: { console: 'public' } satisfies ConsoleRouteConfig };
    scope.get('/', pub, async (req, reply) => reply.redirect(sessions.current(req) ? '/jobs' : '/sign-in', 303));
    scope.get(CSS_PATH, pub, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(CONSOLE_CSS));
    scope.get(JS_PATH, pub, async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=31536000, immutable').send(CONSOLE_JS));

    const signInPage = (reply: FastifyReply, status: number, error?: string) => {
      const csrf = randomBytes(24).toString('base64url');
      reply.header('set-cookie', consoleCookie(reply.request, SIGN_IN_COOKIE, csrf, { path: '/sign-in', maxAgeSeconds: 600 }));
      return sendPage(reply, status, page({ title: 'Sign in', principal: null, csrf: null }, renderSignInPage({ csrf, error, ssoLoginPath: deps.ssoLoginPath, tokenless: deps.auth === null })));
    };
    scope.get('/sign-in', pub, async (req, reply) => (sessions.current(req) ? reply.redirect('/jobs', 303) : signInPage(reply, 200)));

    scope.post<{ Body: Record<string, unknown> }>('/sign-in', { config: { console: 'public', forms: true } satisfies ConsoleRouteConfig }, async (req, reply) => {
      const body = req.body ?? {};
      const expected = cookieValue(req.headers.cookie, SIGN_IN_COOKIE);
      if (!expected || body._csrf !== expected) return signInPage(reply, 403, 'The sign-in form expired or came from another site. Try again.');
      const token = typeof body.token === 'string' ? body.token.trim() : '';
      // The token is checked exactly as a bearer header would be, and never logged or echoed.
      const principal = deps.auth === null ? LOOPBACK_PRINCIPAL : token && !/\s/.test(token) ? await deps.auth.authenticate(`Bearer ${token}`) : null;
      if (!principal) return signInPage(reply, 401, 'That token is not valid.');
      await sessions.signIn(reply, principal);
      deps.log.info({ principal: principal.id }, 'console sign-in');
      return reply.redirect('/jobs', 303);
    });

    scope.post<{ Body: Record<string, unknown> }>('/sign-out', { config: { console: 'session', permission: 'read', forms: true } satisfies ConsoleRouteConfig }, async (req, reply) => {
      if (!sessions.csrfOk(sessionOf(req), req.body?._csrf)) return reply.status(403).send({ error: { code: 'CSRF', message: 'missing or wrong CSRF token' } });
      sessions.signOut(req, reply);
      return reply.redirect('/sign-in', 303);
    });

    registerJobRoutes(scope, { ...deps, sessions, streams });
  });

  // Open event streams would hold `close()` (and so `serve`'s shutdown) until browsers leave.
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  return {
    sessions,
    owns: (req) => routeConsole(req) !== undefined,
    async authenticate(req, reply) {
      const kind = routeConsole(req);
      const session = sessions.current(req);
      if (session) {
        rememberSession(req, session);
        req.principal = session.principal;
        return;
      }
      if (kind === 'public') return;
      if (req.method === 'GET') return reply.redirect('/sign-in', 303);
      return reply.status(401).send({ error: { code: 'UNAUTHORIZED', message: 'sign in to the console first' } });
    },
  };
}
