import { localPrincipal } from '../local-user.js';
import { approvalSummary } from '../../engine/approval-state.js';
import type { Command } from 'commander';
import { request } from 'undici';
import { createSecretResolver } from '../../config/secret-ref.js';
import { createJobEngine } from '../../engine/job-engine.js';
import { SeatctlError } from '../../errors/index.js';
import { emailSchema, jobStatusSchema, rejectBodySchema } from '../../model/index.js';
import { writeJobReport, verifyJob } from '../../report/write-report.js';
import { fullJobDocument, storedJobDocument, type ReviewDocument } from '../../report/job-document.js';
import type { JobStore } from '../../store/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, openContextStore, type CliContext, type GlobalFlags } from '../context.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;
interface Remote {
  server?: string;
  tokenRef?: string;
}

/**
 * `seatctl jobs …` on the local store (the data dir of the config), or with
 * `--server URL` on a running service (token from --token-ref or SEATCTL_TOKEN).
 */
export function registerJobs(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  const jobs = program.command('jobs').description('list, inspect, approve, cancel and verify jobs');
  const remoteOpts = (c: Command) =>
    c.option('--server <url>', 'a running seatctl service instead of the local store').option('--token-ref <ref>', 'bearer token as env:NAME or file:/path (default env:SEATCTL_TOKEN)');

  const print = (doc: unknown, human: string) => io.stdout(globals().json ? `${JSON.stringify(doc)}\n` : human);

  const local = async <T>(fn: (ctx: CliContext, store: JobStore) => Promise<T>): Promise<T> => {
    const ctx = await openContext(io, globals());
    const store = await openContextStore(ctx, io);
    try {
      return await fn(ctx, store);
    } finally {
      await store.close();
      await ctx.runtime.close();
    }
  };

  remoteOpts(
    jobs
      .command('list')
      .description('jobs, newest first, with the people they are about')
      .option('--status <status>', 'only jobs in this status')
      .option('--email <address>', "only jobs about this person (exact address, any case)")
      .option('--limit <n>', 'at most this many', '50'),
  ).action((opts: Remote & { status?: string; email?: string; limit: string }) =>
    run(async () => {
      const email = opts.email === undefined ? undefined : listEmail(opts.email);
      const query = new URLSearchParams({ limit: opts.limit, ...(opts.status ? { status: opts.status } : {}), ...(email ? { email } : {}) });
      const doc = opts.server
        ? await remote(io, opts, 'GET', `/v1/jobs?${query}`)
        : await local(async (ctx, store) => {
            const limit = Number(opts.limit);
            if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new SeatctlError('USAGE', '--limit: a whole number from 1 to 500');
            if (opts.status !== undefined && !(jobStatusSchema.options as readonly string[]).includes(opts.status)) {
              throw new SeatctlError('USAGE', `--status: must be one of ${jobStatusSchema.options.join(', ')}`, { details: { field: '--status' } });
            }
            const page = await store.list({ status: opts.status as never, email, limit });
            return { jobs: page.jobs.map((s) => storedJobDocument(s, ctx.config.dataDir).job), nextCursor: page.nextCursor };
          });
      print(doc, listLines((doc as { jobs: ListedJob[] }).jobs));
      return EXIT.OK;
    }),
  );

  remoteOpts(jobs.command('show').argument('<id>').description('a job with its plan, hash and outcomes')).action((id: string, opts: Remote) =>
    run(async () => {
      const doc = opts.server ? await remote(io, opts, 'GET', `/v1/jobs/${encodeURIComponent(id)}`) : await local(async (ctx, store) => fullJobDocument(store, await must(store, id), ctx.config.dataDir));
      print(doc, humanJob(doc as ReturnType<typeof storedJobDocument>));
      return EXIT.OK;
    }),
  );

  remoteOpts(jobs.command('approve').argument('<id>').requiredOption('--hash <planHash>', 'the plan hash you reviewed (from jobs show)').description('approve exactly the reviewed plan, then run it')).action((id: string, opts: Remote & { hash: string }) =>
    run(async () => {
      if (!/^[0-9a-f]{64}$/.test(opts.hash)) throw new SeatctlError('USAGE', '--hash: a 64-character hex plan hash');
      if (opts.server) {
        const doc = await remote(io, opts, 'POST', `/v1/jobs/${encodeURIComponent(id)}/approve`, { planHash: opts.hash });
        const needed = (doc as ReturnType<typeof storedJobDocument>).job.approval.needed;
        print(doc, needed ? `approval recorded for ${id}; ${needed} more approval(s) needed\n` : `approved ${id}; the service is running it\n`);
        return EXIT.OK;
      }
      return local(async (ctx, store) => {
        const engine = createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals });
        const approved = await engine.approve(id, opts.hash, localPrincipal(io.env).id);
        // Not the last approval the plan needs: recorded, and the job waits for the others.
        if (approved.approvedHash !== approved.planHash) {
          const doc = storedJobDocument(approved, ctx.config.dataDir);
          print(doc, humanJob(doc));
          return EXIT.OK;
        }
        const done = await engine.process(id);
        print(storedJobDocument(done, ctx.config.dataDir), humanJob(storedJobDocument(done, ctx.config.dataDir)));
        return done.job.status === 'failed' || done.job.status === 'awaiting_approval' ? EXIT.TASK_FAILED : EXIT.OK;
      });
    }),
  );

  remoteOpts(
    jobs
      .command('reject')
      .argument('<id>')
      .requiredOption('--hash <planHash>', 'the plan hash you reviewed (from jobs show)')
      .requiredOption('--reason <text>', 'why the plan is rejected (kept in the audit chain and the report)')
      .description('reject exactly the reviewed plan with a reason; the job ends cancelled'),
  ).action((id: string, opts: Remote & { hash: string; reason: string }) =>
    run(async () => {
      const body = rejectBodySchema.safeParse({ planHash: opts.hash, reason: opts.reason });
      if (!body.success) {
        const flag = body.error.issues[0]?.path[0] === 'reason' ? '--reason' : '--hash';
        throw new SeatctlError('USAGE', `${flag}: ${body.error.issues[0]?.message ?? 'invalid'}`, { details: { field: flag } });
      }
      const doc = opts.server
        ? await remote(io, opts, 'POST', `/v1/jobs/${encodeURIComponent(id)}/reject`, body.data)
        : await local(async (ctx, store) => storedJobDocument(await createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals }).reject(id, body.data.planHash, localPrincipal(io.env).id, body.data.reason), ctx.config.dataDir));
      print(doc, `rejected ${id}; the job is cancelled\n`);
      return EXIT.OK;
    }),
  );

  remoteOpts(jobs.command('cancel').argument('<id>').description('cancel a job that has not started changing anything')).action((id: string, opts: Remote) =>
    run(async () => {
      const doc = opts.server
        ? await remote(io, opts, 'POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`, {})
        : await local(async (ctx, store) => storedJobDocument(await createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals }).cancel(id, localPrincipal(io.env).id), ctx.config.dataDir));
      print(doc, `cancelled ${id}\n`);
      return EXIT.OK;
    }),
  );

  remoteOpts(jobs.command('undo').argument('<id>').option('--dry-run', 'plan and rehearse the reversal only').description('create a reversal job from the before-states recorded in the job (it waits for approval)')).action((id: string, opts: Remote & { dryRun?: boolean }) =>
    run(async () => {
      const doc = opts.server
        ? await remote(io, opts, 'POST', `/v1/jobs/${encodeURIComponent(id)}/undo`, { dryRun: Boolean(opts.dryRun) })
        : await local(async (ctx, store) => {
            const engine = createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals });
            const { stored } = await engine.submit({ kind: 'undo', jobId: id, dryRun: Boolean(opts.dryRun), requireApproval: true }, { requestedBy: localPrincipal(io.env).id });
            return storedJobDocument(await engine.process(stored.job.id), ctx.config.dataDir);
          });
      const j = (doc as ReturnType<typeof storedJobDocument>).job;
      print(doc, `${humanJob(doc as ReturnType<typeof storedJobDocument>)}${j.status === 'awaiting_approval' ? `approve: seatctl jobs approve ${j.id} --hash ${j.planHash}\n` : ''}`);
      return EXIT.OK;
    }),
  );

  jobs.command('verify').argument('<id>').description("re-check the job's audit hash chain and every artifact's hash").action((id: string) =>
    run(() =>
      local(async (ctx, store) => {
        const v = await verifyJob(store, ctx.config.dataDir, id);
        const bad = v.artifacts.filter((a) => !a.ok);
        print(v, `${v.ok ? 'verified' : 'NOT VERIFIED'}: audit chain ${v.chain.ok ? `intact (${v.chain.records} records)` : `broken at record ${v.chain.brokenAt}`}; ${v.artifacts.length - bad.length}/${v.artifacts.length} artifacts match\n${bad.map((a) => `  ${a.taskId}/${a.path}: ${a.actual ? 'edited' : 'missing'}\n`).join('')}`);
        return v.ok ? EXIT.OK : EXIT.TASK_FAILED;
      }),
    ),
  );

  jobs.command('report').argument('<id>').description('write the self-contained HTML report and print its path').action((id: string) =>
    run(() =>
      local(async (ctx, store) => {
        await must(store, id);
        const file = await writeJobReport(store, ctx.config.dataDir, id);
        print({ report: file }, `${file}\n`);
        return EXIT.OK;
      }),
    ),
  );
}

/** Validated here too with --server, so a typo is exit 2 before any request. */
function listEmail(value: string): string {
  const r = emailSchema.safeParse(value);
  if (!r.success) throw new SeatctlError('USAGE', `--email: ${r.error.issues[0]?.message ?? 'invalid'} (got ${JSON.stringify(value.slice(0, 100))})`, { details: { field: '--email' } });
  return r.data;
}

interface ListedJob {
  id: string;
  kind: string;
  status: string;
  createdAt: string;
  runAt: string | null;
  people?: string[];
  tasks: unknown[];
}

/** One line per job; a scheduled job shows when it runs, a long list of people is cut short. */
function listLines(list: ListedJob[]): string {
  const people = (p: string[] = []) => (p.length > 3 ? `${p.slice(0, 3).join(', ')} +${p.length - 3} more` : p.join(', '));
  return (
    list.map((j) => `${j.id}  ${j.kind.padEnd(9)} ${j.status.padEnd(18)} ${j.createdAt}  ${j.tasks.length} task(s)${j.runAt ? `  runs at ${j.runAt}` : ''}  ${people(j.people)}\n`).join('') ||
    'no jobs\n'
  );
}

async function must(store: JobStore, id: string) {
  // The same rule as the HTTP API's: an id that cannot be one is named as such, quoted.
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new SeatctlError('USAGE', `id: ${JSON.stringify(id.length > 60 ? `${id.slice(0, 57)}...` : id)} is not a job id`, { details: { field: 'id' } });
  const stored = await store.get(id);
  if (!stored) throw new SeatctlError('JOB_NOT_FOUND', `no job ${id} in this data dir`, { details: { field: 'id' } });
  return stored;
}

function humanJob(doc: ReturnType<typeof storedJobDocument> & { job: { review?: ReviewDocument | null } }): string {
  const j = doc.job;
  const lines = [`job ${j.id} ${j.kind} ${j.status}${j.dryRun ? ' (dry run)' : ''}`, `plan hash ${j.planHash ?? '—'}`, timesLine(j)];
  lines.push(`requested by ${j.requestedBy ?? 'unknown'}`);
  if (j.approval.required || j.approval.rejection) lines.push(`approval: ${approvalSummary(j.approval, j.planHash)} — ${j.approval.reasons.join('; ')}`);
  for (const t of j.tasks) {
    lines.push(`  ${t.app.padEnd(10)} ${t.action.padEnd(9)} ${t.email}  ${t.status}${t.durationMs === null ? '' : ` ${seconds(t.durationMs)}`}  ${t.outcome ?? '…'}: ${t.plan?.summary ?? t.detail ?? ''}`);
    // Notes carry what a person must still do (a SAML user must be disabled in the IdP too).
    for (const n of t.notes) lines.push(`      note: ${n}`);
  }
  if (j.review) {
    lines.push(`review ${j.review.complete ? 'complete' : 'INCOMPLETE'}: ${j.review.rows} rows, ${j.review.orphans} orphaned account(s)${j.review.offboardJob ? `, offboarding job ${j.review.offboardJob}` : ''}`);
    for (const a of j.review.apps) lines.push(`  ${a.app.padEnd(10)} ${a.count} users${a.complete ? '' : ` INCOMPLETE (${a.error?.code ?? 'error'}: ${a.error?.message ?? ''})`}`);
  }
  return lines.join('\n') + '\n';
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** When: created, scheduled, started, finished, and the time worked apart from the wait for approval. */
function timesLine(j: ReturnType<typeof storedJobDocument>['job']): string {
  const parts = [`created ${j.createdAt}`];
  if (j.runAt) parts.push(`runs at ${j.runAt}`);
  if (j.startedAt) parts.push(`started ${j.startedAt}`);
  if (j.finishedAt) parts.push(`finished ${j.finishedAt}`);
  if (j.durationMs !== null) parts.push(`worked ${seconds(j.durationMs)}${j.approvalWaitMs ? ` (+ ${seconds(j.approvalWaitMs)} awaiting approval)` : ''}`);
  return parts.join(', ');
}

export async function remote(io: CliIO, opts: Remote, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  let base: URL;
  try {
    base = new URL(opts.server!);
  } catch {
    throw new SeatctlError('USAGE', `--server: "${opts.server}" is not a URL`);
  }
  const ref = opts.tokenRef ?? (io.env.SEATCTL_TOKEN ? 'env:SEATCTL_TOKEN' : undefined);
  const token = ref ? createSecretResolver({ redactor: { add() {}, scrub: (s) => s, scrubDeep: (v) => v, secrets: [] }, baseDir: io.cwd, env: io.env }).resolve(ref, '--token-ref') : undefined;
  const res = await request(new URL(path, base), {
    method,
    headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  }).catch((err: Error) => {
    throw new SeatctlError('NETWORK', `--server ${base.origin}: ${err.message}`);
  });
  const json = (await res.body.json().catch(() => ({}))) as { error?: { code: string; message: string } };
  if (res.statusCode >= 400) {
    // A requester refused by separation of duties exits 2 here too, as a local approval would.
    const code = res.statusCode === 401 ? 'AUTH_FAILED' : res.statusCode === 404 ? (json.error?.code === 'ARTIFACT_NOT_FOUND' ? 'ARTIFACT_NOT_FOUND' : 'JOB_NOT_FOUND') : res.statusCode === 409 ? 'CONFLICT' : json.error?.code === 'SELF_APPROVAL' ? 'SELF_APPROVAL' : 'UPSTREAM_REJECTED';
    throw new SeatctlError(code, `server: ${json.error?.message ?? `HTTP ${res.statusCode}`}`, { retryClass: 'permanent' });
  }
  return json;
}
