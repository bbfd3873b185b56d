import type { Principal } from './principal.js';
import { bearerToken, createTokenPrincipals, type TokenPrincipals } from './token-principals.js';

/**
 * Turns a request's credentials into a principal. One per service; the HTTP API and
 * the web console both ask it. Further schemes (OIDC bearer JWTs) plug in as another
 * `BearerScheme` tried after configured tokens.
 */
export interface Authenticator {
  /** null when the credentials are missing or wrong (the caller answers 401). */
  authenticate(authorization: string | undefined): Promise<Principal | null>;
}

export interface BearerScheme {
  /** null when this scheme does not recognise the token; throws nothing for a bad token. */
  verify(token: string): Promise<Principal | null>;
}

export function createAuthenticator(tokens: TokenPrincipals, schemes: readonly BearerScheme[] = []): Authenticator {
  return {
    async authenticate(authorization) {
      const token = bearerToken(authorization);
      if (!token) return null;
      const configured = tokens.match(token);
      if (configured) return configured;
      for (const scheme of schemes) {
        const p = await scheme.verify(token);
        if (p) return p;
      }
      return null;
    },
  };
}

/** One admin token, as `service.token` gives (SDK users and tests embedding the service). */
export function singleTokenAuthenticator(token: string): Authenticator {
  return createAuthenticator(createTokenPrincipals([{ name: 'service-token', roles: ['admin'], token }]));
}
