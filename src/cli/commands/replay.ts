import { schedulerForApps } from '../../queue/scheduler.js';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { createConsoleRuntime } from '../../console/console-runtime.js';
import { newId } from '../../engine/new-id.js';
import { createRuntime } from '../../engine/runtime.js';
import { createJobEngine } from '../../engine/job-engine.js';
import { cliPrincipal } from '../../auth/principal.js';
import type { JobRequest } from '../../model/index.js';
import { scratchDir } from '../../audit/job-folder.js';
import type { ArtifactStore } from '../../audit/artifact-store.js';
import { SeatctlError } from '../../errors/index.js';
import { freshTaskState, jobSchema, type Job, type Task } from '../../model/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, openContextStore, type GlobalFlags } from '../context.js';
import { parseCount } from './fixtures-up.js';
import { humanSummary } from '../render-job.js';
import { jobDocument } from '../../report/job-document.js';
import { printTraceList, serveTrace } from './replay-trace.js';
import { usesConsole } from '../../config/load-config.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

interface ReplayOptions {
  task?: string;
  headed?: boolean;
  slowMo?: string;
  pause?: boolean;
  commit?: boolean;
  /** true (the change's trace), 'list', or a trace file name. */
  trace?: boolean | string;
}

/**
 * Reruns a job's console tasks from their recorded inputs, in a visible browser when
 * asked, to watch a flow that broke. A rehearsal (dry run) unless --commit. With
 * --trace, serves a recorded Playwright trace over HTTP on loopback instead (by default
 * the trace of the task's change, not of a look-up); --trace list lists them.
 */
export function registerReplay(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('replay')
    .description("rerun a job's console tasks (dry run unless --commit), or serve their trace")
    .argument('<jobId>', 'the job to replay')
    .option('--task <taskId>', 'only this task')
    .option('--headed', 'show the browser (needs a display, e.g. xvfb-run)')
    .option('--slow-mo <ms>', 'slow every browser action down by this many ms')
    .option('--pause', 'wait for Enter after every screenshot step (in a terminal)')
    .option('--commit', 'really apply the changes (default: rehearse only)')
    .option('--trace [name]', "serve a recorded trace with Playwright's trace viewer on 127.0.0.1: the change's (default), a file NAME, or 'list' to list them")
    .action((jobId: string, opts: ReplayOptions) =>
      run(async () => {
        const slowMo = parseCount('--slow-mo', opts.slowMo, 60_000);
        if (!/^[A-Za-z0-9_-]+$/.test(jobId)) throw new SeatctlError('USAGE', `replay: "${jobId}" is not a job id`);
        const ctx = await openContext(io, globals());
        try {
          const recorded = await loadJob(ctx.runtime.artifacts, ctx.config.dataDir, jobId);
          const tasks = recorded.tasks.filter((t) => (ctx.config.apps[t.app] ? usesConsole(ctx.config.apps[t.app]!) : false) && (!opts.task || t.id === opts.task));
          if (!tasks.length) throw new SeatctlError('USAGE', `replay: job ${jobId} has no console task${opts.task ? ` named ${opts.task}` : ''}`);
          if (opts.trace !== undefined && opts.trace !== false) {
            const where = { artifacts: ctx.runtime.artifacts, jobId, scratchDir: scratchDir(ctx.config.dataDir) };
            if (opts.trace === 'list') return await printTraceList(io, Boolean(globals().json), where, tasks[0]!);
            return await serveTrace(io, where, tasks[0]!, opts.trace === true ? undefined : opts.trace);
          }
          if (opts.headed && !io.env.DISPLAY) throw new SeatctlError('USAGE', 'replay --headed needs a display: run it under xvfb-run, or on a desktop session');
          if (opts.pause && !io.isTTY) throw new SeatctlError('USAGE', 'replay --pause needs a terminal to read Enter from');

          const consoleRuntime = createConsoleRuntime({
            dataDir: ctx.config.dataDir,
            headless: !opts.headed,
            executablePath: ctx.config.browser.executablePath,
            ...(slowMo ? { slowMo } : {}),
            recycleAfterContexts: ctx.config.browser.recycleAfterPages,
            screenshots: true,
            trace: true,
            // Someone is debugging this flow: the trace's filmstrip is worth its CPU here.
            traceFilmstrip: true,
            // A replay must not replace the sessions the service relies on.
            persistSessions: false,
            log: ctx.log,
            ...(opts.pause ? { onStep: (caption: string) => waitForEnter(io, caption) } : {}),
          });
          const runtime = createRuntime({ config: ctx.config, log: ctx.log, redactor: ctx.redactor, scheduler: schedulerForApps(ctx.config.apps, ctx.log), env: io.env, console: consoleRuntime });
          let job = replayJob(recorded, tasks, !opts.commit);
          // ctx.runtime is closed by the outer finally; this one, made here, is closed here.
          const store = await openContextStore(ctx, io, { closeRuntimeOnFailure: false }).catch(async (err: unknown) => {
            await runtime.close();
            throw err;
          });
          let approval: string | null = null;
          try {
            runtime.checkSecrets([...new Set(tasks.map((t) => t.app))]);
            // A replay is a job like any other: stored, in the audit chain, and (with
            // --commit) held for approval by the same policy as the job it replays.
            const original = await store.get(jobId);
            if (!original) throw new SeatctlError('USAGE', `replay: job ${jobId} is not in the job store of ${ctx.config.dataDir}`);
            const engine = createJobEngine({ runtime, store, approvals: ctx.config.approvals });
            const request = { ...original.meta.request, dryRun: !opts.commit } as JobRequest;
            await engine.submitJob(job, request, { requestedBy: cliPrincipal(io.env.USER).id });
            const done = await engine.process(job.id);
            job = done.job;
            if (done.job.status === 'awaiting_approval') approval = `approval required: ${done.approvalReasons.join('; ')}\n  approve: seatctl jobs approve ${job.id} --hash ${done.planHash}\n`;
          } finally {
            await store.close();
            await runtime.close();
          }
          if (globals().json) io.stdout(JSON.stringify({ ...jobDocument(job, ctx.config.dataDir), replayOf: jobId }) + '\n');
          else io.stdout(`replay of ${jobId}${opts.commit ? '' : ' (rehearsal: nothing was changed)'}\n${humanSummary(job, ctx.config.dataDir)}${approval ?? ''}`);
          return job.status === 'succeeded' || job.status === 'planned' ? EXIT.OK : EXIT.TASK_FAILED;
        } finally {
          await ctx.runtime.close();
        }
      }),
    );
}

async function loadJob(artifacts: ArtifactStore, dataDir: string, jobId: string): Promise<Job> {
  const data = await artifacts.get(jobId, 'job.json').catch(() => null);
  if (!data) throw new SeatctlError('USAGE', `replay: no job ${jobId} in ${dataDir}`);
  return jobSchema.parse(JSON.parse(data.toString('utf8')));
}

/** The recorded inputs (who, what, which app), as a fresh job with its own id. */
function replayJob(recorded: Job, tasks: Task[], dryRun: boolean): Job {
  const id = newId('replay');
  return {
    id,
    kind: recorded.kind,
    status: 'planned',
    dryRun,
    createdAt: new Date().toISOString(),
    finishedAt: null,
    tasks: tasks.map((t) => ({
      ...t,
      jobId: id,
      ...freshTaskState(),
    })),
  };
}

async function waitForEnter(io: CliIO, caption: string): Promise<void> {
  io.stderr(`paused after "${caption}" — press Enter to continue `);
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
}
