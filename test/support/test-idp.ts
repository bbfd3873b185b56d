import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { registerSecret } from './scan-root.js';

/**
 * A stand-in for an IdP's key publishing: signing keys made in the test, the public
 * half served as a JWKS (and a discovery document naming it) by a real HTTP server on
 * loopback. `mode` switches the endpoints to failing, to prove an IdP outage is a 503
 * and never a hang or a crash.
 */
export interface TestIdp {
  issuer: string;
  jwksUrl: string;
  /** An RS256 key in the JWKS (kid "rsa-1") and an ES256 one (kid "ec-1"). */
  sign(claims: JWTPayload, options?: { alg?: 'RS256' | 'ES256'; kid?: string; key?: CryptoKey }): Promise<string>;
  /** Claims a token from this IdP carries unless a test overrides them. */
  claims(extra?: JWTPayload): JWTPayload;
  rsaPublicJwk: JWK;
  /** `ok` serves; `error` answers 500; the discovery document can name another issuer. */
  mode: { jwks: 'ok' | 'error'; discoveryIssuer?: string };
  /** JWKS requests served so far (to see jose's cache at work). */
  jwksHits(): number;
  close(): Promise<void>;
}

export async function startTestIdp(options: { audience: string }): Promise<TestIdp> {
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const rsaPublicJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
  const ecPublicJwk = { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' };
  const mode: TestIdp['mode'] = { jwks: 'ok' };
  let hits = 0;
  let issuer = '';
  const server = http.createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ issuer: mode.discoveryIssuer ?? issuer, jwks_uri: `${issuer}/jwks` }));
    }
    if (req.url === '/jwks') {
      hits++;
      if (mode.jwks === 'error') {
        res.statusCode = 500;
        return res.end('down');
      }
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ keys: [rsaPublicJwk, ecPublicJwk] }));
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const claims = (extra: JWTPayload = {}): JWTPayload => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: issuer, aud: options.audience, sub: 'user-1', iat: now, exp: now + 600, ...extra };
  };
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    rsaPublicJwk,
    mode,
    claims,
    jwksHits: () => hits,
    async sign(payload, o = {}) {
      const alg = o.alg ?? 'RS256';
      const key = o.key ?? (alg === 'RS256' ? rsa.privateKey : ec.privateKey);
      const jwt = await new SignJWT(payload).setProtectedHeader({ alg, kid: o.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1'), typ: 'JWT' }).sign(key);
      registerSecret(jwt, 'test IdP JWT');
      return jwt;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
