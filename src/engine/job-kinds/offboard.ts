import type { LoadedConfig } from '../../config/load-config.js';
import { SeatctlError } from '../../errors/index.js';
import type { JobRequest } from '../../model/index.js';
import { checkApps, jobFromTargets } from './task-targets.js';
import type { ActionKindHandler } from './job-kind.js';

type OffboardRequest = Extract<JobRequest, { kind: 'offboard' }>;

/** Who an offboarding is for, and where: one person on `apps`, or each of `people` on their own apps. */
export function offboardTargets(request: OffboardRequest, config: LoadedConfig): { email: string; apps: string[] }[] {
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
    for (const p of request.people) refuseSelfTransfer(request, p.email);
    return request.people.map((p) => ({ email: p.email, apps: [...new Set(p.apps)] }));
  }
  if (request.email === undefined) throw new SeatctlError('USAGE', 'email: required (or people: a list of {email, apps})', { details: { field: 'email' } });
  refuseSelfTransfer(request, request.email);
  return [{ email: request.email, apps: request.apps === 'all' ? Object.keys(config.apps) : [...new Set(request.apps)] }];
}

/** Documents handed to the leaver would be archived with them: refused before anything is read. */
function refuseSelfTransfer(request: OffboardRequest, leaver: string): void {
  if (request.transferTo !== undefined && request.transferTo.toLowerCase() === leaver.toLowerCase()) {
    throw new SeatctlError('USAGE', `transferTo: ${request.transferTo} is the person being offboarded; name who receives the documents (their manager)`, { details: { field: 'transferTo' } });
  }
}

/** Deactivates (or deletes) one person's accounts, or several people's at once (a review's orphans). */
export const offboardKind: ActionKindHandler<OffboardRequest> = {
  kind: 'offboard',
  targets(request, config) {
    const people = offboardTargets(request, config);
    checkApps(people.flatMap((t) => t.apps), request.people ? 'people' : 'apps', config);
    return people.flatMap((t) => t.apps.map((app) => ({ app, subject: { email: t.email }, params: { mode: request.mode, ...(request.transferTo !== undefined ? { transferTo: request.transferTo } : {}) } })));
  },
  build(request, ctx) {
    let targets = offboardKind.targets(request, ctx.runtime.config);
    if (request.transferTo !== undefined) {
      // The hand-over goes where an app has documents to hand over (a driver that can);
      // the person's other apps are offboarded as usual, so `--apps all` keeps working.
      const canTransfer = (app: string) => Boolean(ctx.runtime.driver(app).capabilities.transferOwnership);
      if (!targets.some((t) => canTransfer(t.app))) {
        const apps = [...new Set(targets.map((t) => t.app))].join(', ');
        throw new SeatctlError('USAGE', `transferTo: none of ${apps} has a driver that can hand documents over; offboard without --transfer-to (transferTo), or add a driver that can (see docs/hybrid-routing.md)`, { details: { field: 'transferTo' } });
      }
      targets = targets.map((t) => (canTransfer(t.app) ? t : { ...t, params: { mode: t.params.mode } }));
    }
    return { job: jobFromTargets('offboard', request.dryRun, targets), request };
  },
  requesterMayConfirm: true,
  undoable: true,
};
