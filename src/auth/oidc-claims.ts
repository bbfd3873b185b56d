import type { JWTPayload } from 'jose';
import { SeatctlError } from '../errors/index.js';
import type { OidcConfig } from '../config/oidc-schema.js';
import { roleSchema, type Principal, type Role } from './principal.js';

/** Printable, bounded: `sub` and the name go into the audit chain and onto pages. */
const PRINTABLE = /^[\x20-\x7e\u00a0-\uffff]{1,255}$/u;

/** The claim by its exact name (namespaced claims contain dots), else as a dotted path. */
function claimAt(claims: JWTPayload, name: string): unknown {
  if (Object.hasOwn(claims, name)) return claims[name];
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/** The roles a verified token's claims map to through `roleMap`, in role order, without repeats. */
export function mappedRoles(claims: JWTPayload, oidc: Pick<OidcConfig, 'rolesClaim' | 'roleMap'>): Role[] {
  const raw = claimAt(claims, oidc.rolesClaim);
  // One value arrives as a string at some IdPs, a list at others.
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((v): v is string => typeof v === 'string') : [];
  const roles = new Set<Role>();
  for (const v of values) if (Object.hasOwn(oidc.roleMap, v)) roles.add(oidc.roleMap[v]!);
  return roleSchema.options.filter((r) => roles.has(r));
}

/**
 * The principal for claims whose signature, issuer, audience and times were already
 * verified. The id is `oidc:<sub>`: `sub` is unique and never reassigned within one
 * issuer, and a service trusts one issuer. An identity the IdP vouches for but that
 * maps to no role is FORBIDDEN (403), not unauthenticated (401): it proved who it is,
 * it just may not do anything here, and that is what the IdP admin needs to hear.
 */
export function principalFromClaims(claims: JWTPayload, oidc: Pick<OidcConfig, 'rolesClaim' | 'roleMap' | 'nameClaim'>, via: Principal['via']): Principal | null {
  const sub = claims.sub;
  if (typeof sub !== 'string' || !PRINTABLE.test(sub)) return null;
  const named = claimAt(claims, oidc.nameClaim);
  const name = typeof named === 'string' && PRINTABLE.test(named) ? named : sub;
  const roles = mappedRoles(claims, oidc);
  if (roles.length === 0) {
    throw new SeatctlError('FORBIDDEN', `${name} signed in through the IdP but no value of its "${oidc.rolesClaim}" claim is mapped to a seatctl role (service.oidc.roleMap)`, {
      details: { principal: `oidc:${sub}` },
    });
  }
  return { id: `oidc:${sub}`, name, roles, via };
}
