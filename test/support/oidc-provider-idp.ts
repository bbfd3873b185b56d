import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { registerSecret } from './scan-root.js';

/**
 * A real OpenID Provider (panva's oidc-provider, the certified implementation) on
 * loopback, with its development login and consent pages: any login is accepted and
 * the account's claims come from `accounts`. Served at `http://localhost:<port>` so
 * that it is a different site from a service on `127.0.0.1`, as a real IdP is.
 */
export interface LocalIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export interface LocalIdpOptions {
  /** login → claims (besides sub, which is the login). */
  accounts: Record<string, Record<string, unknown>>;
  /** The callback(s) registered for the client; a function because the service's port comes later. */
  redirectUris: () => string[];
}

/** Starts listening now; the provider itself is built on the first request, once redirectUris() can answer. */
export async function startLocalIdp(options: LocalIdpOptions): Promise<LocalIdp> {
  const clientId = 'seatctl-console';
  const clientSecret = `idp-client-secret-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
  registerSecret(clientSecret, 'OIDC client secret');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'idp-rsa-1', alg: 'RS256', use: 'sig' };

  let handler: http.RequestListener | null = null;
  const server = http.createServer((req, res) => handler!(req, res));
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const issuer = `http://localhost:${(server.address() as AddressInfo).port}`;

  const build = (): http.RequestListener => {
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: options.redirectUris(),
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [signingKey] },
      // PKCE for every client, as seatctl documents asking the IdP to do.
      pkce: { required: () => true },
      claims: { openid: ['sub'], email: ['email'], groups: ['groups'] },
      // Scope-requested claims go into the ID token too (Okta and Entra can be set up so).
      conformIdTokenClaims: false,
      cookies: { keys: [`cookie-key-${issuer}`] },
      findAccount: (_ctx, id) => {
        const claims = options.accounts[id];
        if (!claims) return undefined;
        return { accountId: id, claims: () => ({ sub: id, ...claims }) };
      },
    });
    return provider.callback() as http.RequestListener;
  };
  handler = (req, res) => {
    handler = build();
    handler(req, res);
  };
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
