import { z } from 'zod';

/**
 * Who may do what. Roles are additive: a principal with `requester` and `approver`
 * may do both, but never approve a job they requested (separation of duties is a
 * rule about the job, checked by the engine, not a role).
 */
export const roleSchema = z.enum(['requester', 'approver', 'auditor', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** What a request needs; each route asks for exactly one of these. */
export type Permission = 'read' | 'submit' | 'approve' | 'cancel';

const GRANTS: Record<Role, readonly Permission[]> = {
  requester: ['read', 'submit'],
  approver: ['read', 'approve', 'cancel'],
  auditor: ['read'],
  admin: ['read', 'submit', 'approve', 'cancel'],
};

/**
 * A caller as the service and the audit chain name it. `id` is what is compared
 * (requester ≠ approver) and recorded: `token:<name>` for a configured token,
 * `oidc:<issuer-subject>` for an IdP user, `cli:<os user>` for a local CLI, `local`
 * for a tokenless loopback service.
 */
export interface Principal {
  id: string;
  /** For people to read: the configured name or the IdP's name/email claim. */
  name: string;
  roles: readonly Role[];
  /** How the caller proved who they are. */
  via: 'token' | 'oidc' | 'session' | 'cli' | 'loopback';
}

export function permits(principal: Principal, permission: Permission): boolean {
  return principal.roles.some((r) => GRANTS[r].includes(permission));
}

/**
 * A local CLI user: whoever can open the data dir owns it, so every role. The name is
 * the OS account (see cli/local-user.ts), the same for every command a person runs, so
 * `offboard` and `jobs approve` by one person are one principal.
 */
export function cliPrincipal(osUser: string | undefined): Principal {
  const user = osUser && /^[A-Za-z0-9._@-]{1,64}$/.test(osUser) ? osUser : 'unknown';
  return { id: `cli:${user}`, name: user, roles: ['admin'], via: 'cli' };
}

/** The caller of a tokenless service, which only listens on loopback. */
export const LOOPBACK_PRINCIPAL: Principal = { id: 'local', name: 'local (no token, loopback only)', roles: ['admin'], via: 'loopback' };
