import { createInterface } from 'node:readline';
import { localPrincipal } from '../local-user.js';
import { requesterMayConfirm } from '../../engine/approval-policy.js';
import { SeatctlError } from '../../errors/index.js';
import { formatIssues } from '../../config/format-issues.js';
import { jobRequestSchema, type ActionRequest, type JobRequestInput } from '../../model/index.js';
import { createJobEngine } from '../../engine/job-engine.js';
import { requestApps } from '../../engine/job-kinds/index.js';
import { writeJobReport } from '../../report/write-report.js';
import { reportFile } from '../report-file.js';
import { storedJobDocument } from '../../report/job-document.js';
import type { StoredJob } from '../../store/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, openContextStore } from '../context.js';
import type { JobCommandFlags } from './job-command-flags.js';
import { createProgress } from '../progress.js';
import { humanSummary, notFoundAnywhere } from '../render-job.js';
import { parseRunAt } from '../run-at.js';
import { submitJob } from './submit-job.js';

/**
 * offboard, provision and set-role all end here, on the same engine and store as the
 * service: validate with the service's schema, plan, show the plan and ask in a
 * terminal (unless --yes; without a terminal a change needs --yes), apply, write the HTML report.
 * In a terminal, the person's "yes" is the approval the plan hash is bound to.
 */
export async function runJobCommand(io: CliIO, flags: JobCommandFlags, input: JobRequestInput, onDone?: (stored: StoredJob, dataDir: string) => void): Promise<number> {
  const parsed = jobRequestSchema.safeParse(input);
  if (!parsed.success) throw new SeatctlError('USAGE', formatIssues(parsed.error.issues), { details: { field: String(parsed.error.issues[0]?.path[0] ?? '') } });
  if (parsed.data.kind === 'undo') throw new SeatctlError('USAGE', 'use seatctl jobs undo <id>');
  if (parsed.data.kind === 'review') throw new SeatctlError('USAGE', 'use seatctl review');
  // As Terraform does: a change is confirmed by a person at a terminal or by --yes, never
  // implied by a pipe or by --json (`seatctl set-role … | tee log` used to apply unasked).
  const interactive = Boolean(io.stdinIsTTY) && !flags.yes && !parsed.data.dryRun;
  const who = localPrincipal(io.env).id;
  if (flags.runAt !== undefined || flags.server !== undefined) {
    const runAt = flags.runAt === undefined ? undefined : parseRunAt(flags.runAt, Date.now());
    // Nothing is planned now, so the question is about the request itself.
    if (!parsed.data.dryRun && !flags.yes && !io.stdinIsTTY) throw needsYes(parsed.data.kind);
    if (interactive && !(await confirm(flags.json ? io.stderr : io.stdout, `Submit this ${parsed.data.kind}${runAt ? ` to run at ${runAt}` : ''}${flags.server ? ` to ${flags.server}` : ''}?`))) {
      io.stderr('seatctl: nothing was submitted\n');
      return EXIT.TASK_FAILED;
    }
    return submitJob(io, { ...flags, runAt }, parsed.data, who);
  }
  const request: ActionRequest = { ...parsed.data, requireApproval: parsed.data.requireApproval || interactive };
  const ctx = await openContext(io, flags);
  const store = await openContextStore(ctx, io);
  try {
    const progress = createProgress(io, !flags.json);
    const engine = createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals, onTask: progress.onTask });
    // A missing secret stops the run before a job is stored (a stored job would be resumed later).
    ctx.runtime.checkSecrets(requestApps(request, ctx.config));
    // After the config and apps are checked (their errors say more), before anything is read or stored.
    if (!parsed.data.dryRun && !flags.yes && !io.stdinIsTTY) throw needsYes(parsed.data.kind);
    const { stored } = await engine.submit(request, { requestedBy: who });
    let result = await engine.process(stored.job.id);
    progress.done();
    // Separation of duties: the person at the terminal may release only what the policy
    // lets a requester release; a plan that needs an approver waits for another person.
    const selfRelease = requesterMayConfirm(result.job, ctx.config.approvals);
    if (result.job.status === 'awaiting_approval' && interactive && selfRelease) {
      // With --json, stdout is the one JSON document: the question goes to stderr.
      const say = flags.json ? io.stderr : io.stdout;
      say(planText(result));
      if (await confirm(say, 'Apply this plan?')) {
        const confirmed = await engine.confirm(result.job.id, result.planHash!, who);
        result = confirmed.approvedHash === confirmed.planHash ? await engine.process(result.job.id) : confirmed;
        progress.done();
      } else {
        result = await engine.cancel(result.job.id, who);
      }
    }
    const report = await reportFile(ctx.config, result.job.id, await writeJobReport(store, ctx.runtime.artifacts, result.job.id));
    onDone?.(result, ctx.config.dataDir);
    if (flags.json) {
      io.stdout(JSON.stringify({ ...storedJobDocument(result, ctx.config.dataDir), report }) + '\n');
      const absent = notFoundAnywhere(result.job);
      if (absent) io.stderr(`seatctl: ${absent}\n`);
    }
    else {
      io.stdout(humanSummary(result.job, ctx.config.dataDir));
      if (result.job.status === 'awaiting_approval') {
        const approver = selfRelease ? '' : ` (another person: you, ${who}, requested it)`;
        io.stdout(`approval required: ${result.approvalReasons.join('; ')}\n  review:  seatctl jobs show ${result.job.id}\n  approve${approver}: seatctl jobs approve ${result.job.id} --hash ${result.planHash}\n`);
      }
      io.stdout(`report: ${report}\n`);
    }
    // A role no app knows is the request's fault (exit 2), and no app was changed for it.
    const refused = result.job.tasks.filter((t) => t.error?.code === 'ROLE_INVALID');
    if (refused.length) {
      io.stderr(`seatctl: plan refused, nothing was changed in any app: ${refused.map((t) => t.error!.message).join('; ')}\n`);
      return EXIT.USAGE;
    }
    // Waiting for approval is not done: scripts must not take it for success.
    return result.job.status === 'succeeded' || result.job.status === 'planned' ? EXIT.OK : EXIT.TASK_FAILED;
  } finally {
    await store.close();
    await ctx.runtime.close();
  }
}

function needsYes(kind: string): SeatctlError {
  return new SeatctlError('USAGE', `${kind} changes accounts and there is no terminal to confirm it on (stdin is not a TTY): pass the --yes option to apply it without a question, or --dry-run to only see the plan`, { details: { field: '--yes' } });
}

function planText(stored: StoredJob): string {
  const lines = [`plan for job ${stored.job.id} (hash ${stored.planHash?.slice(0, 12)}…):`];
  for (const t of stored.job.tasks) lines.push(`  ${t.app.padEnd(10)} ${t.plan?.summary ?? t.detail ?? ''}`);
  if (stored.approvalReasons.length) lines.push(`  (${stored.approvalReasons.join('; ')})`);
  return lines.join('\n') + '\n';
}

async function confirm(say: (text: string) => void, question: string): Promise<boolean> {
  say(`${question} [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string>((resolve) => rl.once('line', resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}
