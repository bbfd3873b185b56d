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

/** How many of a task's evidence notes the terminal shows before pointing at the evidence. */
export const EVIDENCE_NOTES_SHOWN = 5;

/**
 * A task's notes for the terminal, in the order they were written: its evidence notes
 * (why a routed app's driver was passed over, retries, a continued console visit) and
 * its own notes (the change's facts a person must act on), each once. The change's own
 * notes are always shown; past EVIDENCE_NOTES_SHOWN others the rest are counted.
 */
export function summaryNotes(t: Task): { shown: string[]; hidden: number } {
  const own = new Set(t.notes);
  const seen = new Set<string>();
  const shown: string[] = [];
  let others = 0;
  let hidden = 0;
  for (const item of t.evidence) {
    if (item.kind !== 'note' || seen.has(item.text)) continue;
    seen.add(item.text);
    if (own.has(item.text)) shown.push(item.text);
    else if (others < EVIDENCE_NOTES_SHOWN) {
      others += 1;
      shown.push(item.text);
    } else hidden += 1;
  }
  for (const n of t.notes) if (!seen.has(n)) {
    seen.add(n);
    shown.push(n);
  }
  return { shown, hidden };
}

export function humanSummary(job: Job, dataDir: string): string {
  const lines = [`job ${job.id} ${job.status}${job.dryRun ? ' (dry run: nothing was changed)' : ''}`];
  for (const t of job.tasks) {
    lines.push(`  ${taskLine(t)}`);
    if (t.plan?.steps?.length) lines.push(`      steps: ${describeSteps(t.plan.steps)}`);
    // A person at the terminal should see why a driver was passed over or a step
    // retried without opening the evidence; a long storm of retries is cut short.
    const { shown, hidden } = summaryNotes(t);
    for (const n of shown) lines.push(`      note: ${n}`);
    if (hidden) lines.push(`      … ${hidden} more note(s) in the task's evidence`);
    if (t.error) lines.push(`      error ${t.error.code}`);
  }
  const absent = notFoundAnywhere(job);
  if (absent) lines.push(absent);
  lines.push(`evidence: ${jobDir(dataDir, job.id)}`);
  return lines.join('\n') + '\n';
}

