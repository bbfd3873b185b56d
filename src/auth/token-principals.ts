import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from './principal.js';

export interface TokenPrincipalInput {
  name: string;
  roles: readonly Role[];
  /** The resolved secret; only its SHA-256 is kept. */
  token: string;
}

interface Entry {
  principal: Principal;
  hash: Buffer;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer tokens of configured principals. Only the SHA-256 of each token is held, and
 * a presented token is compared against every entry in constant time (no early exit),
 * so neither the length, a common prefix nor which principal matched leaks by timing.
 */
export function createTokenPrincipals(inputs: readonly TokenPrincipalInput[]) {
  const entries: Entry[] = inputs.map((i) => ({ principal: { id: `token:${i.name}`, name: i.name, roles: [...i.roles], via: 'token' }, hash: sha256(i.token) }));
  return {
    size: entries.length,
    /** The principal whose token this is, or null. */
    match(presented: string): Principal | null {
      if (!presented) return null;
      const h = sha256(presented);
      let found: Principal | null = null;
      for (const e of entries) if (timingSafeEqual(h, e.hash)) found = e.principal;
      return found;
    },
  };
}
export type TokenPrincipals = ReturnType<typeof createTokenPrincipals>;

/** The token in `Authorization: Bearer <token>`, or ''. */
export function bearerToken(header: string | undefined): string {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
}
