import type { Command } from 'commander';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIO } from '../cli/io.js';
import { openContext, type GlobalFlags } from '../cli/context.js';
import { parseCount } from '../cli/commands/fixtures-up.js';
import { loadConfigFile, configPathFrom } from '../config/load-config.js';
import { createJobEngine } from '../engine/job-engine.js';
import { openJobStore } from '../store/index.js';
import { createNotifications } from '../notify/index.js';
import { createSecretResolver } from '../config/secret-ref.js';
import { builtInDrivers } from './built-in-drivers.js';
import { openBullmqNode, requireBullmq, sharedThrottleHook } from './bullmq-node.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

/**
 * `seatctl worker`: takes task steps of every app and job runs from the shared queues
 * (queue.kind "bullmq"), and re-queues from the store what Redis lost. Any number run
 * beside each other and beside `serve`. SIGTERM drains: no new work, current steps
 * finish, then it exits; a second signal exits at once (the store has every step, as
 * after a crash, and the other workers take over).
 */
export function registerWorker(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('worker')
    .description('take task steps and job runs from the shared BullMQ queues (needs queue.kind "bullmq")')
    .option('--id <name>', 'this worker\'s name in leases and BullMQ (default: host:pid:random)')
    .option('--shutdown-timeout <seconds>', 'on SIGTERM/SIGINT, how long current steps may take to finish (0-3600)', '60')
    .action((opts: { id?: string; shutdownTimeout: string }) =>
      run(async () => {
        const shutdownSeconds = parseCount('--shutdown-timeout', opts.shutdownTimeout, 3600) ?? 60;
        if (opts.id !== undefined && !/^[A-Za-z0-9_.:-]{1,64}$/.test(opts.id)) {
          io.stderr('seatctl: --id: letters, digits and _ . : - (1-64)\n');
          return EXIT.USAGE;
        }
        // Refused before anything is opened: a worker without shared queues would be a second, unshared executor.
        requireBullmq(await loadConfigFile(configPathFrom(globals().config, io.env, io.cwd), builtInDrivers()), 'seatctl worker');
        const hook = sharedThrottleHook();
        const ctx = await openContext(io, globals(), { signals: 'caller', wrapScheduler: hook.wrap, beforeRequest: hook.beforeRequest });
        let store;
        try {
          // The store's URL (PostgreSQL) is a secret: resolved through this process's redactor.
          store = await openJobStore(ctx.config, { secrets: createSecretResolver({ redactor: ctx.redactor, baseDir: ctx.config.baseDir, env: io.env, warn: (message) => ctx.log.warn(message) }) });
        } catch (err) {
          await ctx.runtime.close();
          throw err;
        }
        let node;
        let notifications;
        try {
          // Status changes this worker makes announce webhooks like the service's do; the
          // outbox is leased per message, so any number of processes may send it.
          notifications = createNotifications({ config: ctx.config, store, log: ctx.log, redactor: ctx.redactor, env: io.env });
          node = await openBullmqNode({ config: ctx.config, runtime: ctx.runtime, store, log: ctx.log, redactor: ctx.redactor, env: io.env, throttle: hook.throttle, id: opts.id });
        } catch (err) {
          await store.close();
          await ctx.runtime.close();
          throw err;
        }
        const bullmq = node;
        const engine = createJobEngine({ runtime: ctx.runtime, store: notifications.store, approvals: ctx.config.approvals, dispatcher: bullmq.dispatcher, onSpawn: (jobId) => void bullmq.launch(jobId).catch((err: unknown) => ctx.log.error({ job: jobId, err: (err as Error).message }, 'could not queue the spawned job')) });
        bullmq.work((jobId) => engine.process(jobId));
        notifications.worker.start();
        io.stdout(`${JSON.stringify({ worker: bullmq.owner, apps: Object.keys(ctx.config.apps) })}\n`);
        let first!: (signal: string) => void;
        const signal = await new Promise<string>((resolve) => {
          first = resolve;
          process.once('SIGINT', resolve).once('SIGTERM', resolve);
        });
        const now = (again: string) => {
          ctx.log.warn({ signal: again }, 'second signal: stopping now; other workers take over');
          process.exit(EXIT.TASK_FAILED);
        };
        process.off('SIGINT', first).off('SIGTERM', first).once('SIGINT', now).once('SIGTERM', now);
        ctx.log.warn({ signal, timeoutSeconds: shutdownSeconds }, 'worker draining: no new work; waiting for current steps');
        let deadline: NodeJS.Timeout | undefined;
        const expired = new Promise<'expired'>((r) => (deadline = setTimeout(() => r('expired'), shutdownSeconds * 1000)));
        const outcome = await Promise.race([bullmq.stop().then(() => 'drained' as const), expired]);
        clearTimeout(deadline);
        process.off('SIGINT', now).off('SIGTERM', now);
        if (outcome === 'expired') {
          ctx.log.warn(`shutdown timeout (${shutdownSeconds} s): exiting; unfinished steps are recovered by the other workers`);
          process.exit(EXIT.TASK_FAILED);
        }
        await notifications.worker.stop();
        await store.close();
        await ctx.runtime.close();
        ctx.log.warn('worker stopped gracefully');
        return EXIT.OK;
      }),
    );
}
