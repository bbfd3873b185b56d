import { createEvidenceSink } from '../audit/evidence-sink.js';
import type { DriverCallContext } from '../drivers/driver.js';
import { toSeatctlError } from '../errors/index.js';
import { attemptsBeforeFailure, type StepPriority } from '../queue/scheduler.js';
import { isSatisfied, type AppUser, type PlannedChange, type Task } from '../model/index.js';
import type { Runtime } from './runtime.js';
import { planTask } from './plan-task.js';
import { applyTask } from './apply-task.js';
import { provisionSpec } from './provision-spec.js';
import { checkRoles } from '../drivers/read-back.js';
import { scratchDir } from '../audit/job-folder.js';

/**
 * One task's two phases, usable apart: plan (reads only) and apply (the change). The
 * in-memory runner does both at once; the job engine plans, may wait for approval
 * (even across a restart), then applies — re-reading state first.
 */
export interface ApplyHooks {
  /** Written before a mutation is sent: after a crash, this task must be read back first. */
  beforeMutation?(task: Task): Promise<void>;
  afterMutation?(task: Task): Promise<void>;
}

export interface TaskRunner {
  plan(task: Task): Promise<void>;
  apply(task: Task, dryRun: boolean, hooks?: ApplyHooks): Promise<void>;
  /** Current state of the task's subject in its app (a read through the queue). */
  read(task: Task): Promise<AppUser | null>;
  fail(task: Task, err: unknown): void;
}

export function createTaskRunner(runtime: Runtime, options: { signal?: AbortSignal | undefined } = {}): TaskRunner {
  const signal = options.signal ? { signal: options.signal } : {};

  const sinkFor = (task: Task) => createEvidenceSink({ store: runtime.artifacts, jobId: task.jobId, taskId: task.id, scratchDir: scratchDir(runtime.config.dataDir) }, runtime.redactor, task.evidence);

  const reader = (task: Task, sink: ReturnType<typeof sinkFor>, priority: StepPriority = 'plan') => async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const r = await runtime.scheduler.run({
      app: task.app,
      label,
      kind: 'read',
      priority,
      run: fn,
      policy: runtime.app(task.app).retry,
      onRetry: (info) => sink.note(`retry after ${info.error.code}: ${info.reason}`),
      ...signal,
    });
    task.attempts += r.attempts;
    return r.value;
  };

  /** Runs one phase with the task's evidence trail, recording failures on the task. */
  async function phase(task: Task, fn: (ctx: DriverCallContext, sink: ReturnType<typeof sinkFor>) => Promise<void>): Promise<void> {
    const sink = sinkFor(task);
    const ctx: DriverCallContext = { evidence: sink, dryRun: false, ...signal };
    try {
      await fn(ctx, sink);
    } catch (err) {
      fail(task, err);
    } finally {
      task.evidence = [...sink.items];
      try {
        await sink.writeRecord();
      } catch (err) {
        // Evidence never hides the task's real outcome.
        runtime.log.error({ task: task.id, err: (err as Error).message }, 'could not write the evidence record');
      }
    }
  }

  function fail(task: Task, err: unknown): void {
    task.attempts += attemptsBeforeFailure(err);
    const error = toSeatctlError(err);
    task.status = 'failed';
    task.outcome = 'failed';
    task.error = { code: error.code, message: runtime.redactor.scrub(error.message), ...(Object.keys(error.details).length ? { details: runtime.redactor.scrubDeep(error.details) } : {}) };
    task.detail = task.error.message;
    task.finishedAt = new Date().toISOString();
    runtime.log.error({ app: task.app, task: task.id, code: error.code }, error.message);
  }

  return {
    fail,
    async read(task) {
      let user: AppUser | null = null;
      await phase(task, async (ctx, sink) => {
        // A re-read of a task already under way (resume, confirmation) is part of applying it.
        user = await reader(task, sink, 'apply')(`find ${task.subject.email}`, () => runtime.driver(task.app).findUser(task.subject.email, ctx));
      });
      return user;
    },
    plan: (task) =>
      phase(task, async (ctx, sink) => {
        task.startedAt ??= new Date().toISOString();
        task.status = 'planning';
        const driver = runtime.driver(task.app);
        const plan: PlannedChange = await planTask(task, driver, ctx, reader(task, sink), runtime.app(task.app).definition.name);
        task.plan = plan;
        if (task.action === 'provision' && plan.operations.includes('provision')) {
          // Role names are checked before anything is created.
          await reader(task, sink)('validate roles', () => driver.validateProvision([provisionSpec(task)], ctx));
        } else if (task.params.role && plan.operations.includes('set-role')) {
          // A role change is checked at plan time too, so a bad role in one app stops the whole job.
          const role = task.params.role;
          await reader(task, sink)('validate roles', async () => checkRoles(task.app, [role], await driver.listRoles(ctx)));
        }
        task.status = 'planned';
        if (!plan.operations.length) {
          task.status = 'succeeded';
          task.outcome = plan.before || plan.noAccess ? 'noop' : 'not_found';
          task.detail = plan.summary;
          task.after = plan.before;
          task.finishedAt = new Date().toISOString();
        }
      }),
    apply: (task, dryRun, hooks = {}) =>
      phase(task, async (ctx, sink) => {
        const plan = task.plan;
        if (!plan || !plan.operations.length) return;
        task.status = 'running';
        if (!dryRun) await hooks.beforeMutation?.(task);
        const result = await applyTask(task, plan.operations, plan.before, {
          driver: runtime.driver(task.app),
          scheduler: runtime.scheduler,
          policy: runtime.app(task.app).retry,
          ctx: { ...ctx, dryRun },
          onRetry: (info) => sink.note(`retry after ${info.code}: ${info.reason}`),
        });
        task.attempts += result.attempts;
        task.after = result.after;
        task.notes = result.notes;
        task.outcome = result.planned ? 'planned' : 'changed';
        task.detail = result.planned ? `would ${plan.summary}` : plan.summary;
        task.status = 'succeeded';
        task.finishedAt = new Date().toISOString();
        if (!dryRun) await hooks.afterMutation?.(task);
      }),
  };
}

/** After a crash mid-mutation: is the planned change already there? */
export function landed(task: Task, current: AppUser | null): boolean {
  const ops = task.plan?.operations ?? [];
  const last = ops[ops.length - 1];
  return last !== undefined && isSatisfied(last, current, task.params.role);
}
