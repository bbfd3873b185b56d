import type { ChangeResult, Driver, DriverCallContext } from '../drivers/driver.js';
import type { AppUser, Operation, Task } from '../model/index.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { RetryPolicy } from '../config/schema.js';
import { isSatisfied } from '../model/index.js';
import { provisionSpec } from './provision-spec.js';

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
  }
}

export async function applyTask(task: Task, operations: Operation[], before: AppUser | null, deps: ApplyDeps): Promise<ApplyResult> {
  const { driver, scheduler, ctx } = deps;
  let user = before;
  let attempts = 0;
  const notes: string[] = [];
  let planned = false;
  for (const op of operations) {
    const current = user;
    const result = await scheduler.run<ChangeResult>({
      app: task.app,
      label: `${op} ${task.subject.email}`,
      kind: ctx.dryRun ? 'read' : 'mutation',
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
    planned ||= result.value.planned === true;
    // In a dry run nothing changed, so the next step plans against the predicted state.
    user = result.value.after ?? (op === 'delete' ? null : user);
  }
  return { changed: !planned && operations.length > 0, planned, after: user, notes: [...new Set(notes)], attempts };
}
