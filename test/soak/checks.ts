import type { FixtureApp } from '../../fixtures/launch.js';
import type { AttemptRecord, JobStore, StoredJob } from '../../src/store/index.js';
import type { Submission } from './job-mix.js';
import { classifyMutations, type SimState } from './sim-state.js';

/** One PASS/FAIL line with its figures, and the details worth printing when it fails. */
export interface CheckResult {
  name: string;
  pass: boolean;
  figures: string;
  problems: string[];
  /** Worth knowing, not a violation. */
  notes?: string[];
}

const TERMINAL_JOB = new Set(['succeeded', 'failed']);
const TERMINAL_TASK = new Set(['succeeded', 'failed']);

export async function allJobs(store: JobStore): Promise<StoredJob[]> {
  const jobs: StoredJob[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ limit: 500, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return jobs;
}

/** 1. Every job submitted is in the store and finished; duplicates made no second job. */
export function checkNoLostJobs(subs: Submission[], jobs: StoredJob[]): CheckResult {
  const problems: string[] = [];
  const byN = new Map(subs.map((s) => [s.n, s]));
  const created = subs.filter((s) => s.kind !== 'duplicate');
  const duplicates = subs.filter((s) => s.kind === 'duplicate');
  for (const s of subs) if (!s.jobId) problems.push(`submission #${s.n} (${s.kind}) got no job id: ${s.error ?? `HTTP ${s.status}`}`);
  for (const s of created) if (s.jobId && s.status !== 202) problems.push(`submission #${s.n} (${s.kind}) answered ${s.status}, expected 202 (created)`);
  for (const d of duplicates) {
    const original = byN.get(d.of ?? -1);
    if (d.jobId && d.status !== 200) problems.push(`duplicate #${d.n} answered ${d.status}, expected 200 (existing job)`);
    if (d.jobId && original?.jobId && d.jobId !== original.jobId) problems.push(`duplicate #${d.n} got job ${d.jobId}, its key belongs to ${original.jobId}`);
  }
  const expectedIds = new Set(created.map((s) => s.jobId).filter((id): id is string => !!id));
  const stored = new Map(jobs.map((j) => [j.job.id, j]));
  for (const id of expectedIds) if (!stored.has(id)) problems.push(`job ${id} was accepted but is not in the store`);
  for (const j of jobs) if (!expectedIds.has(j.job.id)) problems.push(`job ${j.job.id} (${j.job.kind}) is in the store but was not submitted`);
  const stuck = jobs.filter((j) => !TERMINAL_JOB.has(j.job.status));
  for (const j of stuck.slice(0, 20)) problems.push(`job ${j.job.id} (${j.job.kind}) is ${j.job.status}`);
  const stuckTasks = jobs.flatMap((j) => j.job.tasks.filter((t) => !TERMINAL_TASK.has(t.status)).map((t) => `${j.job.id}/${t.id} ${t.app} ${t.status}`));
  for (const t of stuckTasks.slice(0, 20)) problems.push(`task ${t} is not finished`);
  const figures =
    `submitted ${subs.length} (${duplicates.length} idempotent duplicates) → expected ${subs.length - duplicates.length} distinct jobs; ` +
    `store has ${jobs.length}, ${jobs.length - stuck.length} terminal, ${stuck.length} not terminal, ${stuckTasks.length} unfinished tasks`;
  return { name: 'zero lost jobs', pass: problems.length === 0 && jobs.length === subs.length - duplicates.length, figures, problems };
}

interface Expectation {
  min: number;
  max: number;
  tasks: string[];
}

/**
 * 2. The simulators' mutation logs hold exactly the changes the store says were made:
 * per (app, account, operation), as many as tasks that report `changed`, plus at most
 * one per failed task that had sent its change (a lost response whose read-back also
 * failed: that change may or may not have landed). No account is deactivated twice, a
 * repeat of a finished request changes nothing, and each changed account ends as its
 * task left it.
 */
export function checkNoDuplicateMutations(
  subs: Submission[],
  jobs: StoredJob[],
  attempts: Map<string, AttemptRecord[]>,
  initial: Record<FixtureApp, SimState>,
  final: Record<FixtureApp, SimState>,
): CheckResult & { failedButLanded: number } {
  const problems: string[] = [];
  const expected = new Map<string, Expectation>();
  const want = (key: string) => {
    let e = expected.get(key);
    if (!e) expected.set(key, (e = { min: 0, max: 0, tasks: [] }));
    return e;
  };
  const finalChecks: { app: FixtureApp; email: string; op: string; role?: string | undefined; task: string }[] = [];
  let failedMutating = 0;
  let cutShort = 0;
  for (const { job } of jobs) {
    const mutating = new Set((attempts.get(job.id) ?? []).filter((a) => a.phase === 'mutating').map((a) => a.taskId));
    for (const t of job.tasks) {
      const ops = t.plan?.operations ?? [];
      const email = t.subject.email.toLowerCase();
      for (const op of ops) {
        const e = want(`${t.app}|${email}|${op}`);
        e.tasks.push(`${job.id}/${t.id}:${t.outcome}`);
        if (t.outcome === 'changed') {
          e.min += 1;
          e.max += 1;
          finalChecks.push({ app: t.app as FixtureApp, email, op, role: t.params.role, task: `${job.id}/${t.id}` });
        } else if ((t.outcome === 'failed' || t.status === 'running') && mutating.has(t.id)) {
          // Failed after sending, or cut short by a stop mid-change (it is read back on resume).
          e.max += 1;
          if (t.status === 'running') cutShort += 1;
          else failedMutating += 1;
        }
      }
    }
  }

  const actual = new Map<string, number>();
  const deactivations = new Map<string, number>();
  let total = 0;
  for (const app of Object.keys(final) as FixtureApp[]) {
    for (const { m, ops } of classifyMutations(app, initial[app], final[app].mutations)) {
      const email = final[app].byId.get(m.userId)?.email ?? `id:${m.userId}`;
      for (const op of ops) {
        total += 1;
        if (op === 'no-op write' || op === 'other') problems.push(`${app}: unexpected ${op} on ${email}: ${m.method} ${m.path}`);
        const key = `${app}|${email}|${op}`;
        actual.set(key, (actual.get(key) ?? 0) + 1);
        if (op === 'deactivate') deactivations.set(`${app}|${email}`, (deactivations.get(`${app}|${email}`) ?? 0) + 1);
      }
    }
  }

  let failedButLanded = 0;
  const notes: string[] = [];
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(key) ?? { min: 0, max: 0, tasks: [] };
    const n = actual.get(key) ?? 0;
    if (n < e.min) problems.push(`${key}: ${n} mutation(s) in the app, but ${e.min} task(s) report changed [${e.tasks.join(', ')}]`);
    else if (n > e.max) problems.push(`${key}: ${n} mutation(s) in the app, at most ${e.max} accounted for [${e.tasks.join(', ') || 'no task'}]`);
    else if (n > e.min) {
      failedButLanded += n - e.min;
      notes.push(`${key}: the change is in the app, but its task reports ${e.tasks.some((t) => t.endsWith(':null')) ? 'no outcome yet (cut short)' : 'failed'} [${e.tasks.join(', ')}]`);
    }
  }
  for (const [account, n] of deactivations) if (n > 1) problems.push(`${account} deactivated ${n} times`);

  for (const c of finalChecks) {
    const now = final[c.app].byEmail.get(c.email);
    if (c.op === 'deactivate' && now?.active) problems.push(`${c.app} ${c.email}: task ${c.task} deactivated it, but it is active now`);
    if (c.op === 'set-role' && now?.role !== c.role) problems.push(`${c.app} ${c.email}: task ${c.task} set role ${c.role}, but it is ${now?.role ?? 'gone'} now`);
  }

  // A repeat of a request whose job had finished must find nothing to do.
  const byN = new Map(subs.map((s) => [s.n, s]));
  const byId = new Map(jobs.map((j) => [j.job.id, j.job]));
  let repeatsChecked = 0;
  for (const r of subs.filter((s) => s.kind === 'repeat')) {
    const original = byId.get(byN.get(r.of ?? -1)?.jobId ?? '');
    const again = byId.get(r.jobId ?? '');
    if (!original || !again) continue;
    for (const t of again.tasks) {
      const first = original.tasks.find((o) => o.app === t.app && o.subject.email === t.subject.email);
      if (first?.status !== 'succeeded') continue;
      repeatsChecked += 1;
      if (t.outcome === 'changed') problems.push(`repeat #${r.n} (${again.id}/${t.id}, ${t.app}) changed the account again after ${original.id} had finished`);
    }
  }

  const expectedChanges = [...expected.values()].reduce((s, e) => s + e.min, 0);
  const figures =
    `${total} mutations logged by the simulators; ${expectedChanges} changes reported by tasks; ` +
    `${failedMutating} failed task(s) had sent a change${cutShort ? ` and ${cutShort} were cut short mid-change` : ''} (${failedButLanded} of those landed); ` +
    `${deactivations.size} accounts deactivated, max ${Math.max(0, ...deactivations.values())} per account; ${repeatsChecked} repeated tasks checked for no-op`;
  return { name: 'zero duplicate mutations', pass: problems.length === 0, figures, problems, notes, failedButLanded };
}
