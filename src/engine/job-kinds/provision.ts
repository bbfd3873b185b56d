import type { JobRequest } from '../../model/index.js';
import { checkApps, jobFromTargets } from './task-targets.js';
import type { ActionKindHandler } from './job-kind.js';

type ProvisionRequest = Extract<JobRequest, { kind: 'provision' }>;

/** Creates (or brings back) one person's accounts with a role per app, and teams where the app has them. */
export const provisionKind: ActionKindHandler<ProvisionRequest> = {
  kind: 'provision',
  targets(request, config) {
    const apps = checkApps(Object.keys(request.roles), 'roles', config);
    return apps.map((app) => ({ app, subject: { email: request.email, firstName: request.firstName, lastName: request.lastName }, params: { role: request.roles[app]!, ...(request.teams?.[app] ? { teams: request.teams[app] } : {}) } }));
  },
  build(request, ctx) {
    return { job: jobFromTargets('provision', request.dryRun, provisionKind.targets(request, ctx.runtime.config)), request };
  },
  requesterMayConfirm: true,
  undoable: true,
};
