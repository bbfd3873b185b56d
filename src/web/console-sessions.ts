import { cookieValue } from '../http/cookies.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import type { SessionIssuer } from '../auth/session-issuer.js';

/**
 * Server-side console sessions. The cookie holds only a random 256-bit id; the
 * principal, the CSRF token and the times stay in this process, keyed by the id's
 * SHA-256 (a heap dump shows no live cookie). Chosen over a signed/sealed cookie because
 * sign-out then really ends a session (a copied cookie is dead at once), nothing
 * needs a key to manage or rotate, and roles changed in config apply at the next
 * restart. The cost: a restart signs everyone out, and several `serve` processes
 * would need a shared session table (a later store method) or sticky routing.
 */
export interface ConsoleSession {
  principal: Principal;
  /** Synchronizer token every console form carries (CSRF). */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits {
  /** Ended after this long without a request. */
  idleMs: number;
  /** Ended this long after sign-in, however busy. */
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 8 * 3600_000, absoluteMs: 12 * 3600_000 };

/** `__Host-` (Secure, Path=/, no Domain: no subdomain can plant or read it) over HTTPS. */
export const SESSION_COOKIE = '__Host-seatctl-session';
/** Browsers refuse `__Host-` without Secure, so plain-HTTP loopback uses this name. */
export const SESSION_COOKIE_HTTP = 'seatctl-session';

export interface ConsoleSessions extends SessionIssuer {
  /** The request's live session, or null; refreshes its idle timer. */
  current(req: FastifyRequest): ConsoleSession | null;
  /** Ends the request's session and clears the cookie. */
  signOut(req: FastifyRequest, reply: FastifyReply): void;
  /** Constant-time check of a form's CSRF token against the session's. */
  csrfOk(session: ConsoleSession, presented: unknown): boolean;
  /** Live sessions (tests: sign-out and expiry remove them). */
  size(): number;
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');
const isHttps = (req: FastifyRequest) => req.protocol === 'https';
const cookieName = (req: FastifyRequest) => (isHttps(req) ? SESSION_COOKIE : SESSION_COOKIE_HTTP);

/**
 * A console cookie: always HttpOnly and SameSite=Strict, Secure over HTTPS. Written by
 * hand because every value is base64url (nothing to encode) and the attributes are fixed.
 */
export function consoleCookie(req: FastifyRequest, name: string, value: string, options: { path: string; maxAgeSeconds: number }): string {
  return `${name}=${value}; Path=${options.path}; Max-Age=${options.maxAgeSeconds}; HttpOnly; SameSite=Strict${isHttps(req) ? '; Secure' : ''}`;
}

export function createConsoleSessions(limits: SessionLimits = DEFAULT_SESSION_LIMITS, now: () => number = Date.now): ConsoleSessions {
  const sessions = new Map<string, ConsoleSession>();

  const alive = (s: ConsoleSession, t: number) => t - s.lastSeenAt < limits.idleMs && t - s.createdAt < limits.absoluteMs;
  /** Dropped lazily: on each sign-in, expired sessions are swept, so the map stays bounded by live ones. */
  const sweep = (t: number) => {
    for (const [k, s] of sessions) if (!alive(s, t)) sessions.delete(k);
  };

  return {
    async signIn(reply, principal) {
      const t = now();
      sweep(t);
      const id = randomBytes(32).toString('base64url');
      sessions.set(hashId(id), { principal: { ...principal }, csrf: randomBytes(32).toString('base64url'), createdAt: t, lastSeenAt: t });
      const req = reply.request;
      reply.header('set-cookie', consoleCookie(req, cookieName(req), id, { path: '/', maxAgeSeconds: Math.floor(limits.absoluteMs / 1000) }));
    },
    current(req) {
      const id = cookieValue(req.headers.cookie, cookieName(req));
      if (!id) return null;
      const key = hashId(id);
      const s = sessions.get(key);
      if (!s) return null;
      const t = now();
      if (!alive(s, t)) {
        sessions.delete(key);
        return null;
      }
      s.lastSeenAt = t;
      return s;
    },
    signOut(req, reply) {
      const id = cookieValue(req.headers.cookie, cookieName(req));
      if (id) sessions.delete(hashId(id));
      reply.header('set-cookie', consoleCookie(req, cookieName(req), '', { path: '/', maxAgeSeconds: 0 }));
    },
    csrfOk(session, presented) {
      if (typeof presented !== 'string') return false;
      const a = Buffer.from(presented);
      const b = Buffer.from(session.csrf);
      return a.length === b.length && timingSafeEqual(a, b);
    },
    size: () => sessions.size,
  };
}
