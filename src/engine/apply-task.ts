import type { ChangeResult, Driver, DriverCallContext } from '../drivers/driver.js';
import type { AppUser, Operation, Task } from '../model/index.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { RetryPolicy } from '../config/schema.js';
import { isSatisfied } from '../model/index.js';
import { provisionSpec } from './provision-spec.js';
import { SeatctlError } from '../errors/index.js';

/**
 * Runs a planned task's operations through the app's queue. Each mutation carries a
 * read-back so that, when a response is lost after the app applied the change, the
 * scheduler sees the change and does not send it twice.
 */
export interface ApplyDeps {
  driver: Driver;
  scheduler: Scheduler;
  policy: RetryPolicy;
  ctx: DriverCallContext;
  onRetry?: (info: { attempt: number; code: string; reason: string }) => void;
}

export interface ApplyResult {
  changed: boolean;
  planned: boolean;
  /**
   * What the read-back after the last operation found, never a copy of the plan's
   * `before`: null when the account is no longer listed (deleted, or deactivated in an
   * app that drops deactivated members), with a `read back:` note saying which.
   * In a dry run, the predicted state (the record the change was prepared against).
   */
  after: AppUser | null;
  notes: string[];
  attempts: number;
}

function callDriver(driver: Driver, op: Operation, task: Task, user: AppUser | null, ctx: DriverCallContext): Promise<ChangeResult> {
  const role = task.params.role ?? '';
  switch (op) {
    case 'provision':
      return driver.provision(provisionSpec(task), ctx);
    case 'set-role':
      return driver.setRole(user!, role, ctx);
    case 'deactivate':
      return driver.deactivate(user!, ctx);
    case 'reactivate':
      return driver.reactivate(user!, ctx);
    case 'delete':
      return driver.delete(user!, ctx);
    case 'transfer-ownership':
      if (!driver.transferOwnership || !task.params.transferTo) throw new SeatctlError('UNSUPPORTED', `${task.app}: this app cannot hand documents over`);
      return driver.transferOwnership(user!, task.params.transferTo, ctx);
  }
}

/** The note that explains an `after: null` read-back, so a report never shows a bare "none". */
export function notListedNote(op: Operation, email: string): string {
  return op === 'delete'
    ? `read back: ${email} is no longer listed: deleted`
    : `read back: ${email} is no longer listed: ${op === 'deactivate' ? 'deactivated (this app does not list deactivated members)' : `after ${op}`}`;
}

export async function applyTask(task: Task, operations: Operation[], before: AppUser | null, deps: ApplyDeps): Promise<ApplyResult> {
  const { driver, scheduler, ctx } = deps;
  // `user` is the record the next operation acts on; `after` is what was read back.
  let user = before;
  let after = before;
  let attempts = 0;
  const notes: string[] = [];
  let planned = false;
  for (const op of operations) {
    const current = user;
    const result = await scheduler.run<ChangeResult>({
      app: task.app,
      label: `${op} ${task.subject.email}`,
      kind: ctx.dryRun ? 'read' : 'mutation',
      priority: 'apply',
      policy: deps.policy,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      run: () => callDriver(driver, op, task, current, ctx),
      verify: async () => {
        const found = await driver.findUser(task.subject.email, ctx);
        if (!isSatisfied(op, found, task.params.role)) return undefined;
        return { changed: true, after: found, notes: ['the response was lost; the change was confirmed by reading the account back'] };
      },
      onRetry: (info) => deps.onRetry?.({ attempt: info.attempt, code: info.error.code, reason: info.reason }),
    });
    attempts += result.attempts;
    notes.push(...result.value.notes);
    if (result.value.planned) {
      // In a dry run nothing changed, so the next step plans against the predicted state.
      planned = true;
      user = result.value.after ?? (op === 'delete' ? null : user);
      after = user;
      continue;
    }
    after = result.value.after;
    if (!after) notes.push(notListedNote(op, task.subject.email));
    // A later operation still needs the account; the last record seen is the best handle.
    user = after ?? (op === 'delete' ? null : user);
  }
  return { changed: !planned && operations.length > 0, planned, after, notes: [...new Set(notes)], attempts };
}
