import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from '../config/oidc-schema.js';
import { SeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import type { BearerScheme } from './authenticator.js';
import { principalFromClaims } from './oidc-claims.js';
import type { Principal } from './principal.js';

/** How long one fetch of the discovery document or the JWKS may take. */
const IDP_TIMEOUT_MS = 5_000;
/** After a failed discovery, callers get 503 at once for this long instead of each waiting on the IdP. */
const DISCOVERY_RETRY_MS = 5_000;

/** header.payload.signature in base64url; the signature may be empty (`alg: none`, refused later). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** Key-selection errors mean "this token is not signed by a key we trust": 401, not an IdP outage. */
const TOKEN_FAULTS = [errors.JWKSNoMatchingKey, errors.JWKSMultipleMatchingKeys, errors.JOSENotSupported, errors.JOSEAlgNotAllowed];

function idpUnavailable(what: string, err: unknown): SeatctlError {
  const reason = err instanceof SeatctlError ? err.message : ((err as { code?: string }).code ?? (err as Error).name ?? 'error');
  return new SeatctlError('IDP_UNAVAILABLE', `the identity provider's ${what} could not be fetched (${reason}); try again shortly`, { cause: err });
}

/**
 * `jwks_uri` from the issuer's discovery document. The document must name the same
 * issuer (OpenID Connect Discovery §4.3), or a spoofed document could point at any keys.
 */
export async function discoverJwksUrl(issuer: string, fetchImpl: typeof fetch = fetch): Promise<URL> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const res = await fetchImpl(url, { redirect: 'manual', signal: AbortSignal.timeout(IDP_TIMEOUT_MS), headers: { accept: 'application/json' } });
  if (res.status !== 200) throw new SeatctlError('IDP_UNAVAILABLE', `discovery document answered HTTP ${res.status}`);
  const doc = (await res.json()) as { issuer?: unknown; jwks_uri?: unknown };
  if (doc.issuer !== issuer) throw new SeatctlError('IDP_UNAVAILABLE', `discovery document names issuer ${JSON.stringify(String(doc.issuer).slice(0, 200))}, not the configured one`);
  if (typeof doc.jwks_uri !== 'string') throw new SeatctlError('IDP_UNAVAILABLE', 'discovery document has no jwks_uri');
  const jwks = new URL(doc.jwks_uri);
  if (jwks.protocol !== 'https:' && new URL(issuer).protocol !== 'http:') throw new SeatctlError('IDP_UNAVAILABLE', 'discovery document names a jwks_uri that is not https');
  return jwks;
}

type KeySource = ReturnType<typeof createRemoteJWKSet>;

/**
 * The IdP's signing keys, found lazily (a serve that starts while the IdP is down still
 * starts; its callers get 503 until the IdP answers). jose caches the set (10 minutes),
 * refetches at most every 30 s when a token names an unknown `kid` (key rotation), and
 * times each fetch out, so a hanging IdP costs a request at most IDP_TIMEOUT_MS.
 */
function createKeySource(oidc: Pick<OidcConfig, 'issuer' | 'jwksUrl'>) {
  let source: KeySource | null = oidc.jwksUrl ? createRemoteJWKSet(new URL(oidc.jwksUrl), { timeoutDuration: IDP_TIMEOUT_MS }) : null;
  let discovering: Promise<KeySource> | null = null;
  let failedAt = 0;
  let failure: unknown = null;
  const current = async (): Promise<KeySource> => {
    if (source) return source;
    if (failure && Date.now() - failedAt < DISCOVERY_RETRY_MS) throw idpUnavailable('discovery document', failure);
    discovering ??= discoverJwksUrl(oidc.issuer).then(
      (url) => (source = createRemoteJWKSet(url, { timeoutDuration: IDP_TIMEOUT_MS })),
      (err: unknown) => {
        failure = err;
        failedAt = Date.now();
        discovering = null;
        throw idpUnavailable('discovery document', err);
      },
    );
    return discovering;
  };
  return async (...args: Parameters<KeySource>) => {
    const keys = await current();
    try {
      return await keys(...args);
    } catch (err) {
      if (TOKEN_FAULTS.some((E) => err instanceof E)) throw err;
      throw idpUnavailable('signing keys (JWKS)', err);
    }
  };
}

export type IdpJwtVerifier = (token: string, audience: string) => Promise<JWTPayload>;

/**
 * Verifies a JWT from the IdP: signature by a key in the IdP's JWKS, with an allowed
 * asymmetric algorithm; `iss`; `aud`; `exp` (required) and `nbf`/`iat` with the
 * configured clock tolerance; `sub` present. Throws jose's error for a bad token and
 * IDP_UNAVAILABLE when the keys cannot be had. Used for bearer tokens (audience =
 * `service.oidc.audience`) and for the console's ID tokens (audience = the client ID).
 */
export function createIdpJwtVerifier(oidc: Pick<OidcConfig, 'issuer' | 'jwksUrl' | 'algorithms' | 'clockToleranceSeconds'>): IdpJwtVerifier {
  const keys = createKeySource(oidc);
  return async (token, audience) => {
    const { payload } = await jwtVerify(token, keys, {
      issuer: oidc.issuer,
      audience,
      algorithms: [...oidc.algorithms],
      clockTolerance: oidc.clockToleranceSeconds,
      requiredClaims: ['exp', 'sub'],
    });
    return payload;
  };
}

/**
 * Bearer JWTs from the IdP as principals (tried after configured tokens). A token that
 * is not a JWT is not ours (null, so the next scheme may try); a JWT that fails any
 * check is null too (401, the reason logged by jose's error code, never the token); a
 * valid identity without a mapped role throws FORBIDDEN (403); an unreachable IdP
 * throws IDP_UNAVAILABLE (503), since the caller's token may well be fine.
 */
export function createOidcBearerScheme(oidc: OidcConfig, deps: { log: Logger; verifier?: IdpJwtVerifier }): BearerScheme {
  const verify = deps.verifier ?? createIdpJwtVerifier(oidc);
  return {
    async verify(token: string): Promise<Principal | null> {
      if (!looksLikeJwt(token)) return null;
      let claims: JWTPayload;
      try {
        claims = await verify(token, oidc.audience);
      } catch (err) {
        if (err instanceof SeatctlError) {
          deps.log.warn({ code: err.code }, err.message);
          throw err;
        }
        const { code, claim } = err as { code?: string; claim?: string };
        deps.log.info({ reason: code ?? 'invalid', ...(claim ? { claim } : {}) }, 'OIDC bearer token refused');
        return null;
      }
      const principal = principalFromClaims(claims, oidc, 'oidc');
      if (!principal) deps.log.info({ reason: 'sub' }, 'OIDC bearer token refused: no usable sub');
      return principal;
    },
  };
}
