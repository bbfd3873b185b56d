import { normalizeEmail, type AppUser, type UserStatus } from '../../model/index.js';
import type { TableRow } from './table.js';

/**
 * The most common console page: a table of users. Maps `readTable` rows to AppUsers by
 * column header, so a driver only names its columns. Consoles that show no user id
 * are keyed by the (normalized) email, which belongs to one account per app.
 */
export interface UserColumns {
  email: string;
  name?: string;
  role?: string;
  status?: string;
  /** A column holding the app's own id; absent: the email is the id. */
  id?: string;
}

const DEFAULT_COLUMNS: UserColumns = { email: 'Email', name: 'Name', role: 'Role', status: 'Status' };

/** Status words consoles use, to seatctl's statuses; anything else counts as active. */
export function statusFromText(text: string | undefined): UserStatus {
  const word = (text ?? '').trim().toLowerCase();
  if (['inactive', 'deactivated', 'disabled', 'suspended', 'blocked', 'locked'].includes(word)) return 'inactive';
  if (['archived', 'deleted', 'removed'].includes(word)) return 'archived';
  if (word === 'invited') return 'invited';
  if (word === 'pending') return 'pending';
  return 'active';
}

export function usersFromTable(app: string, rows: readonly TableRow[], columns: UserColumns = DEFAULT_COLUMNS, statusOf: (text: string | undefined) => UserStatus = statusFromText): AppUser[] {
  return rows
    .filter((r) => r.cells[columns.email])
    .map((r) => {
      const email = r.cells[columns.email]!;
      return {
        app,
        id: (columns.id && r.cells[columns.id]) || normalizeEmail(email),
        email,
        name: (columns.name && r.cells[columns.name]) || email,
        role: (columns.role && r.cells[columns.role]) || null,
        status: statusOf(columns.status ? r.cells[columns.status] : undefined),
        origin: null,
        lastSeen: null,
        raw: r.cells,
      };
    });
}

/** Emails compare case-insensitively, as every app here treats them. */
export function findByEmail(users: readonly AppUser[], email: string): AppUser | null {
  const wanted = normalizeEmail(email);
  return users.find((u) => normalizeEmail(u.email) === wanted) ?? null;
}
