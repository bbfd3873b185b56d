import type { Driver, DriverCallContext } from '../drivers/driver.js';
import { SeatctlError } from '../errors/index.js';
import { isRouted } from '../drivers/routed-driver.js';
import { hasAccess, type AppUser, type Operation, type PlannedChange, type Task } from '../model/index.js';

/**
 * Reads the app's current state for one task and decides what to change. Nothing is
 * written here; a dry run stops after this (plus a rehearsal of the change).
 */
export interface Decision {
  operations: Operation[];
  summary: string;
  /** No account found, but for this app that means the person already has no access. */
  noAccess?: boolean;
}

export function decideOperations(task: Task, before: AppUser | null, driver: Driver): Decision {
  const role = task.params.role;
  switch (task.action) {
    case 'offboard': {
      if (!before) {
        if (driver.capabilities.listsDeactivated === false) {
          return { operations: [], summary: 'no active account (this app does not list deactivated members: already deactivated, or never a member)', noAccess: true };
        }
        return { operations: [], summary: 'no account in this app' };
      }
      // Documents first: once the account is gone or archived, they may no longer be reachable to move.
      const transferTo = task.params.transferTo;
      const transfer: Operation[] = transferTo ? ['transfer-ownership'] : [];
      const handOver = transferTo ? `hand ${before.email}'s documents to ${transferTo}, then ` : '';
      if (transferTo && (!driver.capabilities.transferOwnership || !driver.transferOwnership)) {
        throw new SeatctlError('USAGE', `transferTo: ${task.app} has no driver that can hand documents over; offboard it without --transfer-to (transferTo), or add a driver that can (see docs/hybrid-routing.md)`, { details: { field: 'transferTo', app: task.app } });
      }
      if (task.params.mode === 'delete') {
        if (!driver.capabilities.delete) throw new SeatctlError('UNSUPPORTED', `${task.app}: this app cannot delete accounts; offboard with the default mode (deactivate)`);
        return { operations: [...transfer, 'delete'], summary: `${handOver}delete ${before.email} permanently (was ${before.status})` };
      }
      if (!hasAccess(before)) return { operations: [], summary: `already ${before.status}` };
      return { operations: [...transfer, 'deactivate'], summary: `${handOver}deactivate ${before.email} (${before.status}, role ${before.role ?? 'none'})` };
    }
    case 'provision': {
      if (!before) return { operations: ['provision'], summary: `create ${task.subject.email} with role ${role}` };
      const ops: Operation[] = [];
      if (!hasAccess(before)) ops.push('reactivate');
      if (before.role !== role) ops.push('set-role');
      if (!ops.length) return { operations: [], summary: `already ${before.status} with role ${role}` };
      return { operations: ops, summary: ops.map((o) => (o === 'reactivate' ? `reactivate (was ${before.status})` : `change role ${before.role ?? 'none'} → ${role}`)).join(', then ') };
    }
    case 'set-role': {
      if (!before) throw new SeatctlError('USER_NOT_FOUND', `${task.app}: no account for ${task.subject.email}`);
      if (before.role === role) return { operations: [], summary: `role is already ${role}` };
      return { operations: ['set-role'], summary: `change role ${before.role ?? 'none'} → ${role}` };
    }
    case 'reactivate': {
      // Consoles that drop deactivated members (Stitch) bring them back by re-inviting.
      if (!before && driver.capabilities.listsDeactivated === false && role) return { operations: ['provision'], summary: `re-invite ${task.subject.email} as ${role}` };
      if (!before) throw new SeatctlError('USER_NOT_FOUND', `${task.app}: no account for ${task.subject.email}`);
      if (hasAccess(before)) return { operations: [], summary: `already ${before.status}` };
      // Reactivation restores the former role too, where the account lost it.
      if (role && before.role !== role) return { operations: ['reactivate', 'set-role'], summary: `reactivate (was ${before.status}), then role ${before.role ?? 'none'} → ${role}` };
      return { operations: ['reactivate'], summary: `reactivate (was ${before.status})` };
    }
  }
}

/**
 * `driverName` is the app's driver kind; a routed app (several drivers) names, per
 * step, the driver its capabilities send that operation to.
 */
export async function planTask(task: Task, driver: Driver, ctx: DriverCallContext, read: <T>(label: string, fn: () => Promise<T>) => Promise<T>, driverName: string): Promise<PlannedChange> {
  const before = await read(`find ${task.subject.email}`, () => driver.findUser(task.subject.email, ctx));
  const { operations, summary, noAccess } = decideOperations(task, before, driver);
  const steps = operations.map((operation) => ({ operation, driver: isRouted(driver) ? driver.route(operation) : driverName }));
  return { operations, steps, summary, before, ...(noAccess ? { noAccess } : {}) };
}
