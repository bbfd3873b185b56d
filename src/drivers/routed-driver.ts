import { SeatctlError, type ErrorCode } from '../errors/index.js';
import { isSatisfied, type AppUser, type Operation } from '../model/index.js';
import { runCanary } from './canary.js';
import type { ChangeResult, Driver, DriverCallContext, ListOptions, ProvisionSpec } from './driver.js';

/**
 * An app served by several drivers in preference order (`drivers: ["sigma-api",
 * "sigma-ui"]`), behind the one Driver interface, so the engine, the scheduler and the
 * evidence trail work as for a single driver.
 *
 * Routing rules:
 * - an operation goes to the first driver whose capabilities allow it (a console kept
 *   only for the document hand-over is never asked to deactivate);
 * - a driver that refuses (UNSUPPORTED, NOT_ON_PLAN, FORBIDDEN) hands the operation to
 *   the next, with the reason as a note in the task's evidence; before a mutation goes
 *   to the next driver the account is read back, and when the change is already there
 *   (the refusal came after it landed) it is not sent again;
 * - a driver whose reads are refused as not offered (UNSUPPORTED, NOT_ON_PLAN) is passed
 *   over for SHUT_FOR_MS: the plan then names the driver that will really do the step;
 * - anything else (timeouts, 5xx, network errors, read-back mismatches) never falls
 *   back: it goes up to the scheduler, whose retry and verify logic knows whether a
 *   mutation may have landed. Sending the same change through another door after an
 *   unknown outcome could apply it twice.
 *
 * Every driver writes into the same call context, so one task keeps one evidence record
 * with API request records and console screenshots side by side.
 */
export interface RouteEntry {
  /** The driver kind as configured (`sigma-api`): evidence notes and plans name it. */
  name: string;
  driver: Driver;
}

export interface RoutedDriver extends Driver {
  /** The driver the plan expects to do `op`: the first whose capabilities allow it. */
  route(op: Operation): string;
  readonly entries: readonly RouteEntry[];
}

/** Refusals that say "not through this door": the next driver may still do it. */
export const HANDOVER_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNSUPPORTED', 'NOT_ON_PLAN', 'FORBIDDEN']);

export function handsOver(err: unknown): err is SeatctlError {
  return err instanceof SeatctlError && HANDOVER_CODES.has(err.code);
}

/** Whether a driver's capabilities allow an operation (absent provision/setRole mean yes). */
export function canDo(driver: Driver, op: Operation): boolean {
  const c = driver.capabilities;
  switch (op) {
    case 'delete':
      return c.delete;
    case 'reactivate':
      return c.reactivate;
    case 'provision':
      return c.provision !== false;
    case 'set-role':
      return c.setRole !== false;
    case 'transfer-ownership':
      return c.transferOwnership === true && typeof driver.transferOwnership === 'function';
    case 'deactivate':
      return true;
  }
}

export function isRouted(driver: Driver): driver is RoutedDriver {
  return typeof (driver as Partial<RoutedDriver>).route === 'function' && Array.isArray((driver as Partial<RoutedDriver>).entries);
}

/**
 * How long a driver whose reads were refused as not offered (UNSUPPORTED, NOT_ON_PLAN:
 * "SCIM is not enabled for this organization") is passed over. A door that will not
 * even find a user will not change one either; plans then name the driver that will
 * really do the step. Checked again after this long, so enabling it later is noticed.
 */
export const SHUT_FOR_MS = 15 * 60_000;

export function createRoutedDriver(app: string, entries: readonly RouteEntry[], now: () => number = Date.now): RoutedDriver {
  if (!entries.length) throw new Error('a routed driver needs at least one driver');
  const first = entries[0]!.driver;
  const names = entries.map((e) => e.name).join(', ');
  const any = (op: Operation) => entries.some((e) => canDo(e.driver, op));
  const shutUntil = new Map<RouteEntry, number>();
  const isOpen = (e: RouteEntry) => (shutUntil.get(e) ?? 0) <= now();
  /** The entries still worth asking, in order; all of them when every one is shut. */
  const open = (list: readonly RouteEntry[]): readonly RouteEntry[] => {
    const found = list.filter(isOpen);
    return found.length ? found : list;
  };

  /**
   * After candidates[i] failed: the next driver, when the error is a refusal and there is
   * one (noted in the task's evidence); otherwise the error goes up. A read refused as
   * not offered shuts that driver for SHUT_FOR_MS; FORBIDDEN does not (it may be this
   * account only), nor does a refused change (the driver still answers reads).
   */
  function handOff(what: string, candidates: readonly RouteEntry[], i: number, err: unknown, ctx: DriverCallContext, kind: 'read' | 'change'): RouteEntry {
    const next = candidates[i + 1];
    if (!handsOver(err) || !next) throw err;
    const entry = candidates[i]!;
    ctx.evidence.note(`${what} via ${entry.name} refused (${err.code}: ${err.message}); handing to ${next.name}`);
    if (kind === 'read' && err.code !== 'FORBIDDEN') shutUntil.set(entry, now() + SHUT_FOR_MS);
    return next;
  }

  /** A read (or a check that changes nothing): the first driver that answers. */
  async function read<T>(what: string, all: readonly RouteEntry[], ctx: DriverCallContext, fn: (d: Driver) => Promise<T>): Promise<T> {
    const candidates = open(all);
    for (let i = 0; i < candidates.length; i++) {
      try {
        return await fn(candidates[i]!.driver);
      } catch (err) {
        handOff(what, candidates, i, err, ctx, 'read');
      }
    }
    throw new SeatctlError('UNSUPPORTED', `${app}: no driver of this app can ${what} (drivers: ${names})`);
  }

  /**
   * A change: the capable drivers in order. `done` reads the account and says whether
   * the change is already there; it runs before the next driver is tried (never in a
   * dry run, where nothing was sent). `undefined` means the account cannot show it.
   */
  async function mutate(op: Operation, email: string, ctx: DriverCallContext, call: (d: Driver) => Promise<ChangeResult>, done: (found: AppUser | null) => boolean | undefined): Promise<ChangeResult> {
    const capableOf = entries.filter((e) => canDo(e.driver, op));
    if (!capableOf.length) throw new SeatctlError('UNSUPPORTED', `${app}: no driver of this app can ${op} (drivers: ${names})`, { details: { app, operation: op } });
    const candidates = open(capableOf);
    for (let i = 0; i < candidates.length; i++) {
      try {
        return await call(candidates[i]!.driver);
      } catch (err) {
        const next = handOff(op, candidates, i, err, ctx, 'change');
        if (ctx.dryRun) continue;
        // The refusal may have come after the change landed (a console that saved, then
        // showed an error): look before sending it through another door. A failed read
        // here goes up like any other error, and nothing more is sent.
        const found = await routed.findUser(email, ctx);
        if (done(found) === true) {
          const note = `read back before handing ${op} to ${next.name}: the change is already there; not sent again`;
          ctx.evidence.note(note);
          return { changed: true, after: found, notes: [note] };
        }
      }
    }
    // Unreachable: the last candidate's error is thrown above.
    throw new SeatctlError('INTERNAL', `${app}: routing ${op} ended without an answer`);
  }

  const routed: RoutedDriver = {
    app,
    // Nothing in the engine branches on a driver's kind; what needs a browser is decided
    // per config entry (usesConsole), so the first driver's kind is as good as any.
    kind: first.kind,
    entries,
    capabilities: {
      delete: any('delete'),
      reactivate: any('reactivate'),
      provision: any('provision'),
      setRole: any('set-role'),
      transferOwnership: any('transfer-ownership'),
      // Reads go to the first driver: what its lists show decides what absence means.
      ...(first.capabilities.listsDeactivated !== undefined ? { listsDeactivated: first.capabilities.listsDeactivated } : {}),
      ...(first.capabilities.retriesPages !== undefined ? { retriesPages: first.capabilities.retriesPages } : {}),
    },
    route(op) {
      return open(entries.filter((e) => canDo(e.driver, op)))[0]?.name ?? entries[0]!.name;
    },
    findUser: (email, ctx) => read(`find ${email}`, entries, ctx, (d) => d.findUser(email, ctx)),
    async *listUsers(ctx: DriverCallContext, options?: ListOptions) {
      const candidates = open(entries);
      for (let i = 0; i < candidates.length; i++) {
        const entry = candidates[i]!;
        let yielded = false;
        try {
          for await (const page of entry.driver.listUsers(ctx, options)) {
            yielded = true;
            yield page;
          }
          return;
        } catch (err) {
          // Half a listing from one driver and the rest from another would not add up.
          if (yielded) throw err;
          handOff('list users', candidates, i, err, ctx, 'read');
        }
      }
    },
    // Roles and the batch check come from the drivers that can make the change.
    listRoles: (ctx) => read('list roles', capable('set-role'), ctx, (d) => d.listRoles(ctx)),
    validateProvision: (specs: ProvisionSpec[], ctx) => read('check the batch', capable('provision'), ctx, (d) => d.validateProvision(specs, ctx)),
    provision(spec, ctx) {
      return mutate('provision', spec.email, ctx, (d) => d.provision(spec, ctx), (u) => isSatisfied('provision', u, spec.role));
    },
    setRole(user, role, ctx) {
      return mutate('set-role', user.email, ctx, (d) => d.setRole(user, role, ctx), (u) => isSatisfied('set-role', u, role));
    },
    deactivate(user, ctx) {
      return mutate('deactivate', user.email, ctx, (d) => d.deactivate(user, ctx), (u) => isSatisfied('deactivate', u, undefined));
    },
    reactivate(user, ctx) {
      return mutate('reactivate', user.email, ctx, (d) => d.reactivate(user, ctx), (u) => isSatisfied('reactivate', u, undefined));
    },
    delete(user, ctx) {
      return mutate('delete', user.email, ctx, (d) => d.delete(user, ctx), (u) => isSatisfied('delete', u, undefined));
    },
    transferOwnership(user, toEmail, ctx) {
      // Reading the account cannot show where its documents went; a hand-over moves
      // what the leaver still owns, so a second one through the next driver moves only
      // what the first did not.
      return mutate('transfer-ownership', user.email, ctx, (d) => d.transferOwnership!(user, toEmail, ctx), () => undefined);
    },
    /**
     * `doctor` checks every driver of the app, not only the one that answers first: a
     * console kept for one operation must sign in too, before the day it is needed.
     * The first driver's count is reported; a failure names its driver.
     */
    async canary(ctx) {
      let users: number | undefined;
      for (const entry of entries) {
        try {
          const n = await runCanary(entry.driver, ctx);
          users ??= n;
        } catch (err) {
          if (!(err instanceof SeatctlError)) throw err;
          throw new SeatctlError(err.code, `${entry.name}: ${err.message}`, { cause: err, retryClass: err.retryClass, details: { ...err.details, driver: entry.name } });
        }
      }
      return { users: users ?? 0 };
    },
    async close() {
      await Promise.allSettled(entries.map((e) => e.driver.close()));
    },
  };

  function capable(op: Operation): RouteEntry[] {
    const found = entries.filter((e) => canDo(e.driver, op));
    return found.length ? found : [...entries];
  }

  return routed;
}
