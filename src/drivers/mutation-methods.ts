import { SeatctlError } from '../errors/index.js';
import type { AppUser, Operation } from '../model/index.js';
import type { ChangeResult, Driver, DriverCallContext, ProvisionSpec } from './driver.js';
import { checkRoles } from './read-back.js';

/**
 * The mutating half of a Driver, built the same way by the console and the API
 * builders: a missing flow is UNSUPPORTED, and every flow runs through the builder's
 * `change` (dry run, evidence, read-back). `X` is the builder's flow context.
 */
export interface MutationFlows<X> {
  provision?(ctx: X, spec: ProvisionSpec): Promise<AppUser | null>;
  setRole?(ctx: X, user: AppUser, role: string): Promise<AppUser | null>;
  /** Optional only for a console driver kept for one other operation (Sigma's document hand-over). */
  deactivate?(ctx: X, user: AppUser): Promise<AppUser | null>;
  reactivate?(ctx: X, user: AppUser): Promise<AppUser | null>;
  delete?(ctx: X, user: AppUser): Promise<AppUser | null>;
}

export type ChangeRunner<X> = (call: DriverCallContext, op: Operation, role: string | undefined, before: AppUser | null, run: (ctx: X) => Promise<AppUser | null>) => Promise<ChangeResult>;

export function mutationMethods<X>(app: string, what: string, flows: MutationFlows<X>, change: ChangeRunner<X>): Pick<Driver, 'provision' | 'setRole' | 'deactivate' | 'reactivate' | 'delete'> {
  const unsupported = (action: string) => new SeatctlError('UNSUPPORTED', `${app}: this ${what} cannot ${action}`, { details: { app } });
  return {
    async provision(spec, call) {
      const flow = flows.provision;
      if (!flow) throw unsupported('provision users');
      return change(call, 'provision', spec.role, null, (ctx) => flow(ctx, spec));
    },
    async setRole(user, role, call) {
      const flow = flows.setRole;
      if (!flow) throw unsupported('change roles');
      return change(call, 'set-role', role, user, (ctx) => flow(ctx, user, role));
    },
    async deactivate(user, call) {
      const flow = flows.deactivate;
      if (!flow) throw unsupported('deactivate users');
      return change(call, 'deactivate', undefined, user, (ctx) => flow(ctx, user));
    },
    async reactivate(user, call) {
      const flow = flows.reactivate;
      if (!flow) throw unsupported('reactivate users');
      return change(call, 'reactivate', user.role ?? undefined, user, (ctx) => flow(ctx, user));
    },
    async delete(user, call) {
      const flow = flows.delete;
      if (!flow) throw unsupported('delete users');
      return change(call, 'delete', undefined, user, (ctx) => flow(ctx, user));
    },
  };
}

/**
 * Role names are checked against the app (its `listRoles`) before a role is written, in
 * the same call: an unknown role is ROLE_INVALID naming the valid ones, permanent, before
 * any change — not a console select that waits for an option that is not there.
 */
export function withRoleCheck<X, F extends MutationFlows<X>>(app: string, flows: F, listRoles: (ctx: X) => Promise<string[]>): F {
  const { provision, setRole } = flows;
  return {
    ...flows,
    ...(provision
      ? {
          async provision(ctx: X, spec: ProvisionSpec) {
            checkRoles(app, [spec.role], await listRoles(ctx));
            return provision.call(flows, ctx, spec);
          },
        }
      : {}),
    ...(setRole
      ? {
          async setRole(ctx: X, user: AppUser, role: string) {
            checkRoles(app, [role], await listRoles(ctx));
            return setRole.call(flows, ctx, user, role);
          },
        }
      : {}),
  };
}
