import type { ChangeResult, Driver, DriverCallContext, ProvisionSpec } from '../driver.js';
import { definitionFromSpec, type DriverDefinition, type DriverDeps } from '../definition.js';
import { checkReadBack, checkRoles } from '../read-back.js';
import { mutationMethods } from '../mutation-methods.js';
import { SeatctlError } from '../../errors/index.js';
import type { AppUser, Operation } from '../../model/index.js';
import type { ApiDriverSpec, ApiFlowContext, ApiRequest } from './api-driver-spec.js';
import { createApiSession } from './api-session.js';

/** Thrown when a dry run reaches its first mutation; becomes a `planned` result. */
class PlannedStop extends Error {
  constructor(readonly request: string) {
    super(`dry run: planned ${request}`);
    this.name = 'PlannedStop';
  }
}

const isMutation = (req: ApiRequest): boolean => req.method !== 'GET' && !req.readOnly;

/**
 * Turns an API flow spec into a Driver. Flows only say how to talk to the app; this
 * makes dry runs safe whatever a flow does (no mutation is ever sent in one), signs
 * in once per process, and refuses a change the read-back does not confirm.
 */
export function defineApiDriver<C, O>(spec: ApiDriverSpec<C, O>): DriverDefinition<C, O> {
  return definitionFromSpec(spec, 'api', 4, (deps) => createApiDriver(spec, deps));
}

function createApiDriver<C, O>(spec: ApiDriverSpec<C, O>, deps: DriverDeps<C, O>): Driver {
  const { app, http } = deps;
  const memos = new Map<string, Promise<unknown>>();
  const authenticate = spec.authenticate;
  const session = createApiSession({
    app,
    http,
    authenticate: authenticate
      ? (evidence) =>
          authenticate({
            app,
            credentials: deps.credentials,
            options: deps.options,
            log: deps.log,
            secret: deps.secret,
            send: (req) => http.send(req, evidence),
          })
      : undefined,
  });

  /** `mutating` is false for reads (find, list, roles): a mutation there is a driver bug. */
  const flowContext = (call: DriverCallContext, notes: string[], label: string, mutating: boolean): ApiFlowContext<C, O> => ({
    app,
    baseUrl: deps.baseUrl,
    credentials: deps.credentials,
    options: deps.options,
    dryRun: call.dryRun,
    log: deps.log,
    evidence: call.evidence,
    secret: deps.secret,
    note(text) {
      notes.push(text);
      call.evidence.note(text);
    },
    memo<T>(key: string, load: () => Promise<T>): Promise<T> {
      let hit = memos.get(key) as Promise<T> | undefined;
      if (!hit) {
        hit = load();
        memos.set(key, hit);
        // A failed read must not be remembered: the next task tries again.
        hit.catch(() => memos.delete(key));
      }
      return hit;
    },
    http: {
      url: (path, query) => http.url(path, query),
      plan: (req) => http.plan(req, call.evidence),
      async send<T>(req: ApiRequest) {
        if (call.dryRun && isMutation(req)) {
          const what = `${req.method} ${req.path}`;
          if (!mutating) {
            throw new SeatctlError('INTERNAL', `${app}: ${label} tried ${what} in a dry run; mark read-only requests with readOnly: true`, { details: { app } });
          }
          http.plan(req, call.evidence);
          throw new PlannedStop(what);
        }
        const { readOnly: _readOnly, ...plain } = req;
        return session.send<T>(plain, call.evidence);
      },
    },
  });

  const read = <T>(call: DriverCallContext, label: string, fn: (ctx: ApiFlowContext<C, O>) => Promise<T>): Promise<T> =>
    fn(flowContext(call, [], label, false));

  /** A mutating flow: a dry run reports what was planned; a real one must pass the read-back. */
  async function change(call: DriverCallContext, op: Operation, role: string | undefined, before: AppUser | null, run: (ctx: ApiFlowContext<C, O>) => Promise<AppUser | null>): Promise<ChangeResult> {
    const notes: string[] = [];
    try {
      const after = await run(flowContext(call, notes, op, true));
      // A flow may handle a dry run itself (plan several requests, predict the result).
      if (call.dryRun) return { changed: false, planned: true, after: after ?? before, notes };
      checkReadBack(app, op, after, role);
      return { changed: true, after, notes };
    } catch (err) {
      if (err instanceof PlannedStop) return { changed: false, planned: true, after: before, notes: [...notes, `dry run: ${err.request} planned, not sent`] };
      throw err;
    }
  }

  const canary = spec.canary;

  /** Role names are checked against the app before a role is written (behaviour.md). */
  const withRoleCheck = (flows: ApiDriverSpec<C, O>): ApiDriverSpec<C, O> => {
    const check = async (ctx: ApiFlowContext<C, O>, role: string) => checkRoles(app, [role], await spec.listRoles(ctx));
    const { provision, setRole } = flows;
    return {
      ...flows,
      ...(provision
        ? {
            async provision(ctx: ApiFlowContext<C, O>, p: ProvisionSpec) {
              await check(ctx, p.role);
              return provision(ctx, p);
            },
          }
        : {}),
      ...(setRole
        ? {
            async setRole(ctx: ApiFlowContext<C, O>, user: AppUser, role: string) {
              await check(ctx, role);
              return setRole(ctx, user, role);
            },
          }
        : {}),
    };
  };

  return {
    app,
    kind: 'api',
    capabilities: {
      delete: spec.capabilities?.delete ?? Boolean(spec.delete),
      reactivate: spec.capabilities?.reactivate ?? Boolean(spec.reactivate),
      listsDeactivated: spec.capabilities?.listsDeactivated ?? true,
      retriesPages: spec.capabilities?.retriesPages ?? false,
    },
    findUser: (email, call) => read(call, 'findUser', (ctx) => spec.findUser(ctx, email)),
    listUsers: (call, options) =>
      spec.listUsers(flowContext(call, [], 'listUsers', false), {
        includeInactive: options?.includeInactive ?? true,
        ...(options?.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
        ...(options?.onTotal ? { onTotal: options.onTotal } : {}),
        ...(options?.readPage ? { readPage: options.readPage } : {}),
      }),
    listRoles: (call) => read(call, 'listRoles', (ctx) => spec.listRoles(ctx)),
    ...(canary ? { canary: (call: DriverCallContext) => read(call, 'canary', (ctx) => canary(ctx)) } : {}),
    async validateProvision(specs, call) {
      const validate = spec.validateProvision;
      if (validate) return read(call, 'validateProvision', (ctx) => validate(ctx, specs));
      checkRoles(app, specs.map((s) => s.role), await read(call, 'listRoles', (ctx) => spec.listRoles(ctx)));
    },
    ...mutationMethods(app, 'driver', withRoleCheck(spec), change),
    async close() {
      session.invalidate();
      memos.clear();
    },
  };
}
