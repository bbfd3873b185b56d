import type { LoadedConfig } from '../../config/load-config.js';
import { SeatctlError } from '../../errors/index.js';
import { freshTaskState, type Job, type JobKind, type Subject, type Task, type TaskParams } from '../../model/index.js';
import { newId } from '../new-id.js';

/** One task of a job to be: which account, in which app, with what parameters. */
export interface TaskTarget {
  app: string;
  subject: Subject;
  params: TaskParams;
}

/** The apps, each once, after checking each is configured; `field` is the request's field that named them. */
export function checkApps(appNames: string[], field: string, config: LoadedConfig): string[] {
  const unknown = [...new Set(appNames.filter((a) => !config.apps[a]))];
  if (unknown.length) {
    throw new SeatctlError('USAGE', `${field}: unknown app(s) ${unknown.join(', ')} (configured: ${Object.keys(config.apps).join(', ')})`, {
      details: { field },
    });
  }
  return [...new Set(appNames)];
}

/** Targets become a job: one task per target, numbered in order (`t01-bigid`). */
export function jobFromTargets(kind: Exclude<JobKind, 'review' | 'undo'>, dryRun: boolean, targets: TaskTarget[]): Job {
  const jobId = newId('job');
  const width = Math.max(2, String(targets.length).length);
  const tasks: Task[] = targets.map(({ app, subject, params }, i) => ({
    id: `t${String(i + 1).padStart(width, '0')}-${app}`,
    jobId,
    app,
    action: kind,
    subject,
    params,
    ...freshTaskState(),
  }));
  return { id: jobId, kind, status: 'planned', dryRun, createdAt: new Date().toISOString(), finishedAt: null, tasks };
}
