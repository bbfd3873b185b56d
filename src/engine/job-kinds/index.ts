import type { LoadedConfig } from '../../config/load-config.js';
import type { ActionRequest, JobKind } from '../../model/index.js';
import type { ActionKindHandler, JobKindHandler, RequestOf } from './job-kind.js';
import { offboardKind } from './offboard.js';
import { provisionKind } from './provision.js';
import { reviewKind } from './review.js';
import { setRoleKind } from './set-role.js';
import { undoKind } from './undo.js';

export type { BuiltJob, JobKindHandler, KindContext } from './job-kind.js';

/** Every job kind's handler: the one place a kind is registered. */
export const jobKinds = {
  offboard: offboardKind,
  provision: provisionKind,
  'set-role': setRoleKind,
  undo: undoKind,
  review: reviewKind,
} satisfies { [K in JobKind]: JobKindHandler<RequestOf<K>> };

const actionKinds: { [K in ActionRequest['kind']]: ActionKindHandler<RequestOf<K>> } = { offboard: offboardKind, provision: provisionKind, 'set-role': setRoleKind };

/** The handler for a kind, seen through what all kinds share. */
export const jobKind = (kind: JobKind): JobKindHandler => jobKinds[kind] as JobKindHandler;

/** The handler of a kind that changes accounts from people and apps (offboard, provision, set-role). */
export const actionKind = (kind: ActionRequest['kind']): ActionKindHandler<ActionRequest> => actionKinds[kind] as ActionKindHandler<ActionRequest>;

/** The apps a request names, checked against the config (USAGE naming the field when one is unknown). */
export function requestApps(request: ActionRequest, config: LoadedConfig): string[] {
  return [...new Set(actionKind(request.kind).targets(request, config).map((t) => t.app))];
}
