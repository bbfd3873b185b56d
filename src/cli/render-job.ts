import path from 'node:path';
import { describeSteps, type Job, type Task } from '../model/index.js';
import { jobDir } from '../audit/job-folder.js';


const SYMBOL: Record<string, string> = { changed: '✔', noop: '=', not_found: '∅', planned: '…', awaiting_approval: '⏸', failed: '✘' };

export function taskLine(t: Task): string {
  const state = t.outcome ?? t.status;
  const symbol = SYMBOL[state] ?? '·';
  return `${symbol} ${t.app.padEnd(10)} ${t.action.padEnd(9)} ${t.subject.email}  ${state}${t.detail ? `: ${t.detail}` : ''}`;
}

/**
 * An offboarding that found the person in no app is most often a typo in the address:
 * say so plainly rather than a quiet list of "not found".
 */
export function notFoundAnywhere(job: Job): string | null {
  if (job.kind !== 'offboard' || !job.tasks.length) return null;
  const absent = job.tasks.every((t) => (t.outcome === 'not_found' || t.outcome === 'noop') && t.plan !== null && t.plan.before === null);
  if (!absent) return null;
  const emails = [...new Set(job.tasks.map((t) => t.subject.email))].join(', ');
  return `not found in any app: check the address (${emails}); nothing was changed`;
}

/** Each task's evidence folder, absolute, so a person can open it as printed. */
export function evidenceDirs(job: Job, dataDir: string): { app: string; dir: string }[] {
  return job.tasks.map((t) => ({ app: t.app, dir: path.resolve(jobDir(dataDir, job.id), t.id) }));
}

export function humanSummary(job: Job, dataDir: string): string {
  const lines = [`job ${job.id} ${job.status}${job.dryRun ? ' (dry run: nothing was changed)' : ''}`];
  for (const t of job.tasks) {
    lines.push(`  ${taskLine(t)}`);
    if (t.plan?.steps?.length) lines.push(`      steps: ${describeSteps(t.plan.steps)}`);
    for (const n of t.notes) lines.push(`      note: ${n}`);
    if (t.error) lines.push(`      error ${t.error.code}`);
  }
  const absent = notFoundAnywhere(job);
  if (absent) lines.push(absent);
  lines.push(`evidence: ${jobDir(dataDir, job.id)}`);
  return lines.join('\n') + '\n';
}

