import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from '../config/load-config.js';
import { SeatctlError } from '../errors/index.js';
import { freshTaskState, type ActionRequest, type Job, type Task } from '../model/index.js';

export function newId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}_${stamp}_${randomBytes(4).toString('hex')}`;
}

/** The apps a request names, checked against the config. */
export function requestApps(request: ActionRequest, config: LoadedConfig): string[] {
  const appNames = request.kind === 'offboard' ? (request.apps === 'all' ? Object.keys(config.apps) : request.apps) : Object.keys(request.roles);
  const unknown = appNames.filter((a) => !config.apps[a]);
  if (unknown.length) {
    throw new SeatctlError('USAGE', `${request.kind === 'offboard' ? 'apps' : 'roles'}: unknown app(s) ${unknown.join(', ')} (configured: ${Object.keys(config.apps).join(', ')})`, {
      details: { field: request.kind === 'offboard' ? 'apps' : 'roles' },
    });
  }
  return [...new Set(appNames)];
}

/** A request becomes a job: one task per app. */
export function buildJob(request: ActionRequest, config: LoadedConfig): Job {
  const jobId = newId('job');
  const tasks: Task[] = requestApps(request, config).map((app, i) => ({
    id: `t${String(i + 1).padStart(2, '0')}-${app}`,
    jobId,
    app,
    action: request.kind,
    subject:
      request.kind === 'provision'
        ? { email: request.email, firstName: request.firstName, lastName: request.lastName }
        : { email: request.email },
    params:
      request.kind === 'offboard'
        ? { mode: request.mode }
        : request.kind === 'provision'
          ? { role: request.roles[app]!, ...(request.teams?.[app] ? { teams: request.teams[app] } : {}) }
          : { role: request.roles[app]! },
    ...freshTaskState(),
  }));
  return { id: jobId, kind: request.kind, status: 'planned', dryRun: request.dryRun, createdAt: new Date().toISOString(), finishedAt: null, tasks };
}
