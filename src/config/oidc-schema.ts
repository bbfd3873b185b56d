import { z } from 'zod';
import { roleSchema } from '../auth/principal.js';
import { hasUserinfo } from '../log/url-userinfo.js';
import { secretRefSchema } from './secret-ref.js';

/**
 * Signature algorithms a token may use. Asymmetric only: with an HMAC algorithm the
 * "key" would be the IdP's public key, so anyone could sign (the classic RS256 → HS256
 * confusion), and `none` is never a signature.
 */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

/** https, or http on a loopback host (a development IdP on this machine). */
function isSafeIdpUrl(value: string): boolean {
  const u = new URL(value);
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && (u.hostname === 'localhost' || u.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(u.hostname));
}

const idpUrl = (what: string) =>
  z
    .url({ protocol: /^https?$/, message: `${what} must be an http(s) URL` })
    .refine(isSafeIdpUrl, { message: `${what} must be https (http only on a loopback host, for a development IdP)` })
    .refine((u) => !hasUserinfo(u), { message: `${what} must not hold a user name or password` });

export const oidcConfigSchema = z
  .object({
    issuer: idpUrl('issuer').describe("the IdP's issuer identifier exactly as it appears in tokens' `iss` (e.g. `https://login.example.com/oauth2/default`)"),
    audience: z.string().min(1).max(512).describe('what bearer tokens must name in `aud`: the API identifier registered at the IdP for seatctl (often the client ID)'),
    jwksUrl: idpUrl('jwksUrl').optional().describe("the IdP's signing keys (JWKS); default: `jwks_uri` from the issuer's `/.well-known/openid-configuration`"),
    algorithms: z
      .array(z.enum(OIDC_ALGORITHMS))
      .min(1)
      .default(['RS256', 'PS256', 'ES256', 'EdDSA'])
      .describe('signature algorithms accepted; asymmetric only (never `none` or HS*)'),
    rolesClaim: z
      .string()
      .min(1)
      .max(256)
      .describe('the claim holding the groups or roles to map (`groups`, `roles`, a namespaced claim such as `https://example.com/roles`; `a.b` reads a nested claim when no claim has that exact name)'),
    roleMap: z
      .record(z.string().min(1).max(256), roleSchema)
      .refine((m) => Object.keys(m).length > 0, 'map at least one claim value to a role')
      .describe('claim value → seatctl role (`requester`, `approver`, `auditor`, `admin`); a caller with no mapped value gets 403'),
    nameClaim: z.string().min(1).max(256).default('email').describe('the claim shown as the caller\'s name (falls back to `sub`)'),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30).describe('allowed clock skew for `exp`, `nbf` and `iat`'),
    clientId: z.string().min(1).max(512).optional().describe('the console\'s OAuth client ID at the IdP; enables "Sign in with SSO" (authorization code + PKCE)'),
    clientSecret: secretRefSchema.optional().describe('the client secret as env:NAME or file:/path; omit for a public client (PKCE only)'),
    redirectUrl: z
      .url({ protocol: /^https?$/, message: 'redirectUrl must be an http(s) URL' })
      .refine((u) => new URL(u).pathname === '/auth/oidc/callback', { message: 'redirectUrl must end in /auth/oidc/callback' })
      .optional()
      .describe("the callback registered at the IdP, `https://<seatctl host>/auth/oidc/callback`; default: built from the request's Host (loopback development only; set it behind a proxy)"),
    scopes: z
      .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, 'a scope token'))
      .default(['openid', 'email', 'profile'])
      .refine((s) => s.includes('openid'), 'must include openid')
      .describe('scopes the console asks for at sign-in; add the one that puts the roles claim in the ID token (e.g. `groups` at Okta)'),
  })
  .strict()
  .refine((o) => o.clientSecret === undefined || o.clientId !== undefined, { message: 'clientSecret needs clientId', path: ['clientSecret'] })
  .describe('OpenID Connect: bearer JWTs from the IdP and console sign-in');
export type OidcConfig = z.infer<typeof oidcConfigSchema>;
