import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from '../config/load-config.js';
import { SeatctlError } from '../errors/index.js';
import { freshTaskState, type ActionRequest, type Job, type Task } from '../model/index.js';

export function newId(prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}_${stamp}_${randomBytes(4).toString('hex')}`;
}

/** Who an offboarding is for, and where: one person on `apps`, or each of `people` on their own apps. */
export function offboardTargets(request: Extract<ActionRequest, { kind: 'offboard' }>, config: LoadedConfig): { email: string; apps: string[] }[] {
  if (request.email !== undefined && request.people !== undefined) {
    throw new SeatctlError('USAGE', 'email: give either email (one person) or people (several), not both', { details: { field: 'email' } });
  }
  if (request.people !== undefined) {
    const seen = new Set<string>();
    for (const [i, p] of request.people.entries()) {
      const key = p.email.toLowerCase();
      if (seen.has(key)) throw new SeatctlError('USAGE', `people.${i}.email: ${p.email} is listed twice`, { details: { field: `people.${i}.email` } });
      seen.add(key);
    }
    return request.people.map((p) => ({ email: p.email, apps: [...new Set(p.apps)] }));
  }
  if (request.email === undefined) throw new SeatctlError('USAGE', 'email: required (or people: a list of {email, apps})', { details: { field: 'email' } });
  return [{ email: request.email, apps: request.apps === 'all' ? Object.keys(config.apps) : [...new Set(request.apps)] }];
}

/** The apps a request names, checked against the config. */
export function requestApps(request: ActionRequest, config: LoadedConfig): string[] {
  const field = request.kind === 'offboard' ? (request.people ? 'people' : 'apps') : 'roles';
  const appNames = request.kind === 'offboard' ? offboardTargets(request, config).flatMap((t) => t.apps) : Object.keys(request.roles);
  const unknown = [...new Set(appNames.filter((a) => !config.apps[a]))];
  if (unknown.length) {
    throw new SeatctlError('USAGE', `${field}: unknown app(s) ${unknown.join(', ')} (configured: ${Object.keys(config.apps).join(', ')})`, {
      details: { field },
    });
  }
  return [...new Set(appNames)];
}

/** A request becomes a job: one task per app (per person and app for a multi-person offboarding). */
export function buildJob(request: ActionRequest, config: LoadedConfig): Job {
  const jobId = newId('job');
  requestApps(request, config);
  const pairs: { app: string; email: string }[] =
    request.kind === 'offboard'
      ? offboardTargets(request, config).flatMap((t) => t.apps.map((app) => ({ app, email: t.email })))
      : Object.keys(request.roles).map((app) => ({ app, email: request.email }));
  const width = Math.max(2, String(pairs.length).length);
  const tasks: Task[] = pairs.map(({ app, email }, i) => ({
    id: `t${String(i + 1).padStart(width, '0')}-${app}`,
    jobId,
    app,
    action: request.kind,
    subject: request.kind === 'provision' ? { email, firstName: request.firstName, lastName: request.lastName } : { email },
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
