import { SeatctlError } from '../errors/index.js';
import type { PrincipalConfig } from '../config/schema.js';
import type { SecretResolver } from '../config/secret-ref.js';
import { createTokenPrincipals, type TokenPrincipalInput, type TokenPrincipals } from './token-principals.js';

/** A token shorter than this is guessable; serve refuses to start with one. */
export const MIN_TOKEN_LENGTH = 16;

/**
 * The service's token principals from config: every `service.principals` entry, plus
 * the single `service.token` (or --token-ref) as one `admin` named `service-token`.
 * Tokens are resolved once at start, checked for length and uniqueness, then only
 * their hashes are kept.
 */
export function resolveTokenPrincipals(
  resolver: SecretResolver,
  principals: readonly PrincipalConfig[],
  single: { ref: string; field: string } | undefined,
): TokenPrincipals {
  const inputs: TokenPrincipalInput[] = [];
  const add = (name: string, roles: TokenPrincipalInput['roles'], ref: string, field: string) => {
    const token = resolver.resolve(ref, field);
    if (token.length < MIN_TOKEN_LENGTH) throw new SeatctlError('USAGE', `${field}: the token must be at least ${MIN_TOKEN_LENGTH} characters`, { details: { field } });
    if (inputs.some((i) => i.token === token)) throw new SeatctlError('USAGE', `${field}: the same token is given to another principal; each caller needs its own`, { details: { field } });
    inputs.push({ name, roles, token });
  };
  if (single) add('service-token', ['admin'], single.ref, single.field);
  principals.forEach((p, i) => add(p.name, p.roles, p.token, `service.principals.${i}.token`));
  return createTokenPrincipals(inputs);
}
