import { parseCookie } from 'cookie';

/**
 * One cookie's value from a request's `Cookie` header, or undefined. Parsed with the
 * `cookie` package (what fastify's own cookie plugin uses), so the OIDC sign-in and the
 * console's sessions read cookies one way.
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  return header ? parseCookie(header)[name] : undefined;
}
