import { hasAccess, type AppUser } from './app-user.js';
import type { Operation } from './task.js';

/**
 * What "done" looks like for each operation. Used twice: to plan (is it already so?)
 * and after a lost response (did it land before we try again?).
 */
export function isSatisfied(operation: Operation, user: AppUser | null, role: string | undefined): boolean {
  switch (operation) {
    case 'deactivate':
      return user === null || !hasAccess(user);
    case 'delete':
      return user === null;
    case 'reactivate':
      return user !== null && hasAccess(user);
    case 'set-role':
      return user !== null && user.role === role;
    case 'provision':
      return user !== null && hasAccess(user) && (role === undefined || user.role === role);
  }
}
