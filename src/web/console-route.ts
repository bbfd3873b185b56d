import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../auth/authenticator.js';
import type { Permission } from '../auth/principal.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { JobEngine } from '../engine/job-engine.js';
import type { JobEvents } from '../engine/job-events.js';
import type { Logger } from '../log/logger.js';
import type { Runtime } from '../engine/runtime.js';
import type { JobStore } from '../store/index.js';
import type { ConsoleSession, ConsoleSessions } from './console-sessions.js';
import { CONSOLE_CSP } from './layout.js';

/** What every console route shares: its dependencies, how it is reached, its session, how it answers a page. */
export interface ConsoleDeps {
  engine: JobEngine;
  runtime: Runtime;
  store: JobStore;
  config: LoadedConfig;
  log: Logger;
  /** null: a tokenless loopback service, where whoever signs in is the local admin. */
  auth: Authenticator | null;
  launch(jobId: string): void;
  accepting(): boolean;
  /** Job changes for server-sent events; without it job pages do not update live. */
  events?: JobEvents | undefined;
  /** Shared with other sign-in methods (OIDC) that end in a console session. */
  sessions?: ConsoleSessions | undefined;
  /** Where "Sign in with SSO" starts; the link is shown only when set. */
  ssoLoginPath?: string | undefined;
}

/**
 * Console routes say how they are reached: `session` needs a signed-in console session
 * (and the route's permission), `public` needs nothing (sign-in page, assets). Bearer
 * tokens do not open console routes and the session cookie does not open /v1: the API
 * stays free of cookies, so it needs no CSRF defence.
 */
export interface ConsoleRouteConfig {
  console: 'session' | 'public';
  permission?: Permission;
  /** Accepts application/x-www-form-urlencoded (the request guard lets it through). */
  forms?: boolean;
}

const sessionsByRequest = new WeakMap<FastifyRequest, ConsoleSession>();

/** Called by the console's onRequest step once it has found the request's session. */
export function rememberSession(req: FastifyRequest, session: ConsoleSession): void {
  sessionsByRequest.set(req, session);
}

export function routeConsole(req: FastifyRequest): ConsoleRouteConfig['console'] | undefined {
  return (req.routeOptions.config as Partial<ConsoleRouteConfig> | undefined)?.console;
}

/** The session the onRequest step found for this request (session routes always have one). */
export function sessionOf(req: FastifyRequest): ConsoleSession {
  const s = sessionsByRequest.get(req);
  if (!s) throw new Error('console route without a session');
  return s;
}

export function sendPage(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    // Not no-referrer: with it Chromium sends `Origin: null` on our own form posts, which the Origin check refuses.
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store')
    .send(body);
}

