import { SeatctlError } from '../errors/index.js';
import { isSatisfied, type AppUser, type Operation } from '../model/index.js';

/** Drivers confirm every change by reading the record back; a mismatch is a failure, never a success. */
export function assertReadBack(app: string, after: AppUser | null, ok: (u: AppUser) => boolean, expected: string): AppUser {
  if (!after) throw new SeatctlError('READBACK_MISMATCH', `${app}: user vanished after the change (expected ${expected})`);
  if (!ok(after)) {
    throw new SeatctlError('READBACK_MISMATCH', `${app}: read-back shows ${after.email} ${after.status}/${after.role ?? 'no role'}, expected ${expected}`, {
      details: { app, userId: after.id },
    });
  }
  return after;
}

/** Passwords for API-created local accounts: never shown, reset by the person at first sign-in. */
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `${Buffer.from(bytes).toString('base64url')}!a1`;
}

/** The wanted state after an operation, in words for a READBACK_MISMATCH message. */
export function describeWanted(op: Operation, role: string | undefined): string {
  if (op === 'set-role' || op === 'provision') return `${op === 'provision' ? 'present with ' : ''}role ${role}`;
  if (op === 'transfer-ownership') return 'documents handed over';
  return op === 'deactivate' ? 'without access' : op === 'reactivate' ? 'with access' : 'gone';
}

/**
 * The one read-back rule the driver builders (console and API) share: the user a
 * mutating flow read back must satisfy the operation, or the task fails. Absent counts
 * as done for deactivate and delete (some apps drop deactivated members from lists).
 */
export function checkReadBack(app: string, op: Operation, after: AppUser | null, role: string | undefined): void {
  if (!isSatisfied(op, after, role)) assertReadBack(app, after, () => false, describeWanted(op, role));
}

/**
 * Roles are checked for a whole batch before any account is created. Apps match role
 * names exactly ("admin" is not "Admin"), so a near miss by case is named in the error.
 */
export function checkRoles(app: string, wanted: readonly string[], roles: readonly string[]): void {
  const bad = [...new Set(wanted.filter((r) => !roles.includes(r)))];
  if (!bad.length) return;
  const named = bad.map((b) => {
    const near = roles.find((k) => k.toLowerCase() === b.toLowerCase());
    return `"${b}"${near ? ` (did you mean "${near}"? names are case-sensitive)` : ''}`;
  });
  throw new SeatctlError('ROLE_INVALID', `${app}: unknown role(s) ${named.join(', ')}; roles: ${roles.join(', ')}`, { details: { app, roles: bad } });
}
