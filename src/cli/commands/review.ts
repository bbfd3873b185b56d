import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { formatIssues } from '../../config/format-issues.js';
import { selectApps } from '../../config/load-config.js';
import { SeatctlError } from '../../errors/index.js';
import { reviewRequestSchema, type ReviewRequest } from '../../model/index.js';
import { createJobEngine } from '../../engine/job-engine.js';
import type { ReviewRecord } from '../../engine/job-kinds/review.js';
import type { ErrorCode } from '../../errors/index.js';
import type { ReviewFormat } from '../../review/review-output.js';
import { copyReviewFile, reviewFileChunks } from '../../review/review-stream.js';
import { parseRosterColumnsOption } from '../../review/roster.js';
import { REVIEW_FILES, type OrphanTarget } from '../../review/run-review.js';
import { localPrincipal } from '../local-user.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, openContextStore, type GlobalFlags } from '../context.js';
import { createReviewProgress } from '../review-progress.js';
import { runJobCommand } from './run-job-command.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

interface ReviewFlags {
  apps?: string;
  format?: string;
  out?: string;
  includeInactive?: boolean;
  roster?: string;
  rosterColumns?: string[];
  offboardOrphans?: boolean;
  yes?: boolean;
}

const FORMATS = ['csv', 'json', 'html'] as const;
/** Roster files past this are refused before they are read into memory. */
const MAX_ROSTER_BYTES = 8_000_000;

export function registerReview(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('review')
    .description('list every user of every selected app in one table (access review), optionally reconciled against an HR roster')
    .option('--apps <list>', 'apps to list: a,b or all', 'all')
    .option('--format <format>', 'csv, json or html (default: from --out\'s extension, else json with --json, else csv)')
    .option('--out <file>', 'write the review to a file instead of stdout')
    .option('--include-inactive', 'also list deactivated/archived accounts')
    .option('--roster <file>', 'HR roster CSV (email, name, status active|terminated, termination_date, manager) to reconcile against')
    .option('--roster-columns <pairs...>', 'map roster headers: email=Work Email,status=Employment Status')
    .option('--offboard-orphans', 'create one offboarding job for the orphaned accounts (planned and approved like any job)')
    .option('-y, --yes', 'with --offboard-orphans: do not ask for confirmation in a terminal')
    .action((opts: ReviewFlags) => run(() => reviewCommand(io, globals(), opts)));
}

/**
 * The review runs as a stored job, as the service runs it: submitted, processed here, its
 * files written into the job's folder; what this command writes (stdout or --out) and
 * prints is read back from that job. Orphans are offboarded by a second job that the
 * person at the terminal requests, as `seatctl offboard` would.
 */
async function reviewCommand(io: CliIO, flags: GlobalFlags, opts: ReviewFlags): Promise<number> {
  const format = pickFormat(opts, flags);
  if (opts.offboardOrphans && !opts.roster) throw new SeatctlError('USAGE', '--offboard-orphans: needs --roster (orphans are found by reconciling against it)', { details: { field: '--offboard-orphans' } });
  const request = await buildRequest(io, opts);
  const ctx = await openContext(io, flags);
  const store = await openContextStore(ctx, io);
  let code: number;
  let targets: OrphanTarget[] = [];
  try {
    const apps = selectApps(ctx.config, opts.apps).map((a) => a.name);
    const progress = createReviewProgress(io, apps, !flags.json);
    const engine = createJobEngine({
      runtime: ctx.runtime,
      store,
      approvals: ctx.config.approvals,
      review: { onProgress: (_job, app, read, total) => progress.update(app, read, total), takeOrphans: (_job, found) => (targets = found) },
    });
    // The roster is checked when the job is built, before any app is read: a typo in it
    // (or one past review.maxRosterRows) must not cost a full listing first.
    const { stored } = await engine.submit({ ...request, apps }, { requestedBy: localPrincipal(io.env).id });
    const done = await engine.process(stored.job.id);
    progress.done();
    const records = await store.audit(done.job.id);
    const reviewed = records.findLast((r) => r.kind === 'reviewed')?.data as ReviewRecord | undefined;
    if (!reviewed) {
      // The review failed before it had a result (a listing past review.maxRows, an unreadable roster): its error, as if thrown here.
      const error = (records.findLast((r) => r.kind === 'finished')?.data as { error?: { code: ErrorCode; message: string } } | undefined)?.error;
      throw new SeatctlError(error?.code ?? 'INTERNAL', error?.message ?? `review job ${done.job.id} ended ${done.job.status} without a result`, { details: { jobId: done.job.id } });
    }
    const file = await ctx.runtime.artifacts.get(done.job.id, REVIEW_FILES[format]);
    if (!file) throw new SeatctlError('ARTIFACT_NOT_FOUND', `review job ${done.job.id} has no ${REVIEW_FILES[format]}`, { details: { jobId: done.job.id } });
    if (opts.out) {
      // Relative to the command's working directory, like --roster and --config (not the process's).
      await copyReviewFile(file, path.resolve(io.cwd, opts.out));
      io.stderr(`review written to ${opts.out} (${format})\n`);
    } else for await (const chunk of reviewFileChunks(file)) io.stdout(chunk);
    for (const a of reviewed.apps) {
      io.stderr(`${a.app}: ${a.count} users${a.complete ? '' : ` — INCOMPLETE (${a.error?.code}: ${a.error?.message})`}\n`);
    }
    if (reviewed.counts) io.stderr(`orphaned accounts: ${reviewed.orphans}\n`);
    // A partial listing is never a clean review, whatever the format says.
    code = reviewed.complete ? EXIT.OK : EXIT.TASK_FAILED;
    if (!reviewed.complete) io.stderr('review INCOMPLETE: at least one app could not be listed to the end\n');
  } finally {
    await store.close();
    await ctx.runtime.close();
  }
  if (opts.offboardOrphans) {
    if (!targets.length) {
      io.stderr('no orphaned accounts: no offboarding job created\n');
      return code;
    }
    io.stderr(`creating one offboarding job for ${targets.length} people (${targets.reduce((n, t) => n + t.apps.length, 0)} accounts)\n`);
    // The same path as `seatctl offboard`: stored job, plan, approval (blast-radius cap,
    // terminal confirmation), apply, report. An incomplete review's orphans always wait for a person.
    const jobCode = await runJobCommand(io, { ...flags, yes: Boolean(opts.yes) }, {
      kind: 'offboard',
      people: targets,
      apps: 'all',
      mode: 'deactivate',
      requireApproval: code !== EXIT.OK,
    });
    return Math.max(code, jobCode);
  }
  return code;
}

function pickFormat(opts: ReviewFlags, flags: GlobalFlags): ReviewFormat {
  const fromExt = opts.out ? path.extname(opts.out).slice(1).toLowerCase() : '';
  const format = opts.format ?? ((FORMATS as readonly string[]).includes(fromExt) ? fromExt : flags.json ? 'json' : 'csv');
  if (!(FORMATS as readonly string[]).includes(format)) throw new SeatctlError('USAGE', `--format: expected csv, json or html, got "${format}"`, { details: { field: '--format' } });
  return format as ReviewFormat;
}

async function buildRequest(io: CliIO, opts: ReviewFlags): Promise<ReviewRequest> {
  let roster: ReviewRequest['roster'];
  if (opts.roster) {
    const file = path.resolve(io.cwd, opts.roster);
    let text: string;
    try {
      const buf = await readFile(file);
      if (buf.length > MAX_ROSTER_BYTES) throw new SeatctlError('USAGE', `--roster: ${opts.roster} is ${buf.length} bytes; the limit is ${MAX_ROSTER_BYTES}`, { details: { field: '--roster' } });
      text = buf.toString('utf8');
    } catch (err) {
      if (err instanceof SeatctlError) throw err;
      throw new SeatctlError('USAGE', `--roster: cannot read ${opts.roster} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { details: { field: '--roster' } });
    }
    const columns = parseRosterColumnsOption((opts.rosterColumns ?? []).join(','));
    roster = { csv: text, source: path.basename(opts.roster), ...(Object.keys(columns).length ? { columns } : {}) };
  } else if (opts.rosterColumns?.length) {
    throw new SeatctlError('USAGE', '--roster-columns: needs --roster', { details: { field: '--roster-columns' } });
  }
  const parsed = reviewRequestSchema.safeParse({ kind: 'review', apps: 'all', includeInactive: Boolean(opts.includeInactive), offboardOrphans: Boolean(opts.offboardOrphans), ...(roster ? { roster } : {}) });
  if (!parsed.success) throw new SeatctlError('USAGE', formatIssues(parsed.error.issues), { details: { field: String(parsed.error.issues[0]?.path.join('.') ?? '') } });
  return parsed.data;
}
