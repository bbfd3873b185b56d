import { SeatctlError } from '../errors/index.js';
import { freshTaskState, type Job, type Task } from '../model/index.js';
import { newId } from './new-id.js';

/**
 * A reversal of a finished job, from the before-states its plan recorded: a
 * deactivation becomes a reactivation with the former role, a role change goes back
 * to the former role, an account the job created is deactivated. Permanent deletes
 * cannot be reversed and are listed in the job's notes instead. The result is planned
 * and approved like any other job, against the apps' state at that time.
 */
export function buildUndoJob(original: Job, dryRun: boolean): { job: Job; skipped: string[] } {
  if (original.status !== 'succeeded' && original.status !== 'failed') {
    throw new SeatctlError('CONFLICT', `job ${original.id} is ${original.status}; only finished jobs can be undone`);
  }
  const jobId = newId('job');
  const skipped: string[] = [];
  const tasks: Task[] = [];
  for (const t of original.tasks) {
    if (t.outcome !== 'changed') continue;
    const before = t.plan?.before ?? null;
    const reverse = reversal(t, before);
    if (!reverse) {
      skipped.push(`${t.app}: ${t.action}${t.params.mode === 'delete' ? ' (delete)' : ''} of ${t.subject.email} cannot be reversed`);
      continue;
    }
    tasks.push({
      id: `t${String(tasks.length + 1).padStart(2, '0')}-${t.app}`,
      jobId,
      app: t.app,
      action: reverse.action,
      subject: { email: t.subject.email, ...(before ? nameParts(before.name) : {}) },
      params: reverse.params,
      ...freshTaskState(),
      notes: [`reverses ${original.id}/${t.id}`],
    });
  }
  if (!tasks.length) throw new SeatctlError('CONFLICT', `job ${original.id} changed nothing that can be reversed${skipped.length ? ` (${skipped.join('; ')})` : ''}`);
  return { job: { id: jobId, kind: 'undo', status: 'planned', dryRun, createdAt: new Date().toISOString(), finishedAt: null, tasks }, skipped };
}

function reversal(t: Task, before: Task['after']): Pick<Task, 'action' | 'params'> | null {
  if (t.action === 'offboard') return t.params.mode === 'delete' || !before ? null : { action: 'reactivate', params: before.role ? { role: before.role } : {} };
  if (t.action === 'set-role') return before?.role ? { action: 'set-role', params: { role: before.role } } : null;
  if (t.action === 'provision') {
    if (!before) return { action: 'offboard', params: { mode: 'deactivate' } };
    if (before.status === 'inactive' || before.status === 'archived') return { action: 'offboard', params: { mode: 'deactivate' } };
    return before.role ? { action: 'set-role', params: { role: before.role } } : null;
  }
  return null;
}

function nameParts(name: string): { firstName?: string; lastName?: string } {
  const [first, ...rest] = name.trim().split(/\s+/);
  return first ? { firstName: first, ...(rest.length ? { lastName: rest.join(' ') } : {}) } : {};
}
