import type { JobRequest } from '../../model/index.js';
import { checkApps, jobFromTargets } from './task-targets.js';
import type { ActionKindHandler } from './job-kind.js';

type SetRoleRequest = Extract<JobRequest, { kind: 'set-role' }>;

/** Changes one person's role in each named app. */
export const setRoleKind: ActionKindHandler<SetRoleRequest> = {
  kind: 'set-role',
  targets(request, config) {
    const apps = checkApps(Object.keys(request.roles), 'roles', config);
    return apps.map((app) => ({ app, subject: { email: request.email }, params: { role: request.roles[app]! } }));
  },
  build(request, ctx) {
    return { job: jobFromTargets('set-role', request.dryRun, setRoleKind.targets(request, ctx.runtime.config)), request };
  },
  requesterMayConfirm: true,
  undoable: true,
};
