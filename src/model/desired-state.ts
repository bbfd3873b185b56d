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
    case 'transfer-ownership':
      // An account does not show where its documents went, so reading it back proves
      // nothing: after a lost response the hand-over is sent again. That is safe: it
      // moves what the leaver still owns, and a second one finds nothing left to move.
      return false;
  }
}
