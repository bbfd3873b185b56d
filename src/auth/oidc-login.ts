import { cookieValue } from '../http/cookies.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { OidcConfig } from '../config/oidc-schema.js';
import { SeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { createIdpJwtVerifier, type IdpJwtVerifier } from './oidc-bearer.js';
import { principalFromClaims } from './oidc-claims.js';
import type { SessionIssuer } from './session-issuer.js';

export const OIDC_LOGIN_PATH = '/auth/oidc/login';
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

/** A sign-in must come back within this; then the state cookie is gone and it starts over. */
const STATE_COOKIE_SECONDS = 600;
/** Seconds one request to the IdP (discovery, token endpoint) may take. */
const IDP_TIMEOUT_SECONDS = 5;
/** After a failed discovery, sign-ins fail fast for this long instead of each waiting on the IdP. */
const DISCOVERY_RETRY_MS = 5_000;

/** Sends the browser on to the console with a same-site navigation (no script: the console's CSP allows none). */
const SIGNED_IN_PAGE = '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=/"><title>Signed in</title><p>Signed in. <a href="/">Continue to seatctl</a></p>\n';

export interface OidcLoginDeps {
  oidc: OidcConfig & { clientId: string };
  /** The resolved `service.oidc.clientSecret`; undefined for a public client (PKCE alone). */
  clientSecret: string | undefined;
  sessions: SessionIssuer;
  log: Logger;
  /** Verifies the ID token's signature; shared with the bearer scheme (one JWKS cache). */
  verifier?: IdpJwtVerifier;
}

/** What the login route hands the callback, in the browser's state cookie. */
interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
}

/**
 * The state cookie. SameSite=Lax, not Strict: the IdP sends the browser back with a
 * cross-site top-level GET, which a Strict cookie would not ride on. HttpOnly, a few
 * minutes, and cleared by the callback whatever happens. Under https it is a
 * `__Host-` cookie (Secure, Path=/, no Domain), so a sibling subdomain cannot plant
 * its own state in the browser (login CSRF by cookie tossing). It holds only random
 * values that are worthless without the browser that got them, so it needs no server
 * secret and any serve process can finish a sign-in another one started.
 */
function stateCookie(secure: boolean) {
  const name = secure ? '__Host-seatctl-oidc' : 'seatctl-oidc';
  // Written by hand (the value is base64url, nothing to encode) so that these routes do not
  // depend on which plugin the console registers for its own cookies.
  const set = (value: string, maxAge: number) => `${name}=${value}; Max-Age=${maxAge}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  return { name, set };
}

function readPending(req: FastifyRequest, name: string): PendingSignIn | null {
  const raw = cookieValue(req.headers.cookie, name);
  if (!raw) return null;
  try {
    const p = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    return typeof p.state === 'string' && typeof p.nonce === 'string' && typeof p.verifier === 'string' && typeof p.redirectUri === 'string' ? (p as PendingSignIn) : null;
  } catch {
    return null;
  }
}

function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.status(status).header('cache-control', 'no-store').send({ error: { code, message } });
}

/** Network trouble reaching the IdP, as opposed to the IdP saying no. */
function isUnreachable(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof client.ClientError && (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT'));
}

/** A short, secret-free reason: the IdP's OAuth error code or the library's check that failed. */
function reasonOf(err: unknown): string {
  if (err instanceof client.ResponseBodyError || err instanceof client.AuthorizationResponseError) return err.error;
  return (err as { code?: string }).code ?? (err as Error).name ?? 'error';
}

/**
 * Console sign-in with the team's IdP: authorization code + PKCE (S256) with
 * openid-client. `GET /auth/oidc/login` sends the browser to the IdP with a fresh
 * state, nonce and code challenge; `GET /auth/oidc/callback` checks the state against
 * the cookie, exchanges the code with the verifier, has openid-client check the ID
 * token's iss, aud, azp, nonce and times, verifies its signature against the IdP's
 * JWKS as well (openid-client trusts the TLS channel for that), maps its roles claim
 * as a bearer token's would be, and hands the principal to the session issuer.
 * Both routes are public: they are how someone without a session gets one.
 */
export function registerOidcLogin(app: FastifyInstance, deps: OidcLoginDeps): void {
  const { oidc } = deps;
  const verifyIdToken = deps.verifier ?? createIdpJwtVerifier(oidc);
  const insecure = new URL(oidc.issuer).protocol === 'http:';
  let discovered: Promise<client.Configuration> | null = null;
  let failedAt = 0;
  const configuration = (): Promise<client.Configuration> => {
    if (!discovered && Date.now() - failedAt < DISCOVERY_RETRY_MS) return Promise.reject(new SeatctlError('IDP_UNAVAILABLE', 'the identity provider did not answer; try again shortly'));
    discovered ??= client
      .discovery(
        new URL(oidc.issuer),
        oidc.clientId,
        deps.clientSecret,
        deps.clientSecret === undefined ? client.None() : client.ClientSecretBasic(deps.clientSecret),
        // http is only accepted (by the config schema) for an IdP on loopback.
        { timeout: IDP_TIMEOUT_SECONDS, execute: insecure ? [client.allowInsecureRequests] : [] },
      )
      .catch((err: unknown) => {
        discovered = null;
        failedAt = Date.now();
        deps.log.warn({ reason: reasonOf(err) }, 'OIDC discovery failed');
        throw new SeatctlError('IDP_UNAVAILABLE', 'the identity provider did not answer; try again shortly', { cause: err });
      });
    return discovered;
  };
  const redirectUriFor = (req: FastifyRequest) => oidc.redirectUrl ?? `${req.protocol}://${req.host}${OIDC_CALLBACK_PATH}`;

  app.get(OIDC_LOGIN_PATH, { config: { public: true } }, async (req, reply) => {
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (err) {
      return refuse(reply, 503, 'IDP_UNAVAILABLE', (err as Error).message);
    }
    const pending: PendingSignIn = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier(), redirectUri: redirectUriFor(req) };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: pending.redirectUri,
      scope: oidc.scopes.join(' '),
      response_type: 'code',
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    const cookie = stateCookie(pending.redirectUri.startsWith('https:'));
    reply.header('set-cookie', cookie.set(Buffer.from(JSON.stringify(pending)).toString('base64url'), STATE_COOKIE_SECONDS));
    return reply.header('cache-control', 'no-store').redirect(url.href, 302);
  });

  app.get(OIDC_CALLBACK_PATH, { config: { public: true } }, async (req, reply) => {
    const cookie = stateCookie(redirectUriFor(req).startsWith('https:'));
    const pending = readPending(req, cookie.name);
    // One use, success or not: a replayed callback finds no state.
    reply.header('set-cookie', cookie.set('', 0));
    const state = new URL(req.url, 'http://callback.invalid').searchParams.get('state');
    if (!pending || state !== pending.state) {
      deps.log.warn({ reason: pending ? 'state mismatch' : 'no state cookie' }, 'OIDC sign-in refused');
      return refuse(reply, 400, 'OIDC_STATE_MISMATCH', 'this sign-in was not started here or has expired; start again at /auth/oidc/login');
    }
    let config: client.Configuration;
    try {
      config = await configuration();
    } catch (err) {
      return refuse(reply, 503, 'IDP_UNAVAILABLE', (err as Error).message);
    }
    const current = new URL(pending.redirectUri);
    current.search = new URL(req.url, 'http://callback.invalid').search;
    let idToken: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true });
      idToken = tokens.id_token;
    } catch (err) {
      const reason = reasonOf(err);
      deps.log.warn({ reason }, 'OIDC sign-in refused by the IdP or the token checks');
      if (isUnreachable(err)) return refuse(reply, 503, 'IDP_UNAVAILABLE', 'the identity provider did not answer; try again shortly');
      return refuse(reply, 401, 'OIDC_SIGN_IN_FAILED', `sign-in failed (${reason}); start again at /auth/oidc/login`);
    }
    let principal;
    try {
      const claims = await verifyIdToken(idToken!, oidc.clientId);
      if (claims.nonce !== pending.nonce) throw new Error('nonce');
      principal = principalFromClaims(claims, oidc, 'oidc');
    } catch (err) {
      if (err instanceof SeatctlError) {
        deps.log.warn({ code: err.code }, 'OIDC sign-in refused');
        return refuse(reply, err.code === 'FORBIDDEN' ? 403 : 503, err.code, err.message);
      }
      deps.log.warn({ reason: reasonOf(err) }, 'OIDC sign-in refused: ID token failed verification');
      return refuse(reply, 401, 'OIDC_SIGN_IN_FAILED', 'the ID token failed verification; start again at /auth/oidc/login');
    }
    if (!principal) return refuse(reply, 401, 'OIDC_SIGN_IN_FAILED', 'the ID token has no usable subject');
    await deps.sessions.signIn(reply, principal);
    deps.log.info({ principal: principal.id, roles: principal.roles }, 'signed in with OIDC');
    // Not a 302: this response ends a redirect chain that began at the IdP, another site,
    // so the browser would withhold the console's SameSite=Strict session cookie from a
    // redirected request to `/`. A page of our own that moves on is a same-site navigation.
    return reply
      .header('cache-control', 'no-store')
      .header('content-security-policy', "default-src 'none'")
      .type('text/html; charset=utf-8')
      .send(SIGNED_IN_PAGE);
  });
}
