import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Locator, Page } from 'playwright';
import type { ChangeResult, Driver, DriverCallContext, EvidenceSink } from '../drivers/driver.js';
import { definitionFromSpec, type DriverDefinition, type DriverDeps } from '../drivers/definition.js';
import { checkReadBack, checkRoles } from '../drivers/read-back.js';
import { mutationMethods, withRoleCheck } from '../drivers/mutation-methods.js';
import { SeatctlError } from '../errors/index.js';
import type { AppUser, Operation } from '../model/index.js';
import type { ConsoleDriverSpec } from './console-driver-spec.js';
import type { ConsoleRuntime, StorageState } from './console-runtime.js';
import { DryRunStop, type FlowContext } from './flow-context.js';
import { isPlaywrightTimeout, locatorTimeoutError, timedOutLocator } from './locator-timeout.js';
import { makeFlowContext, pathnameOf, type VisitState } from './make-flow-context.js';
import { mapConsoleError } from './map-console-error.js';
import { captureFailure } from './screenshot.js';
import { createSessionKeeper } from './session-keeper.js';
import { scrubTrace } from './trace-scrub.js';
import { createTraceControl, type TraceControl } from './trace-control.js';
import { createPagePool, DEFAULT_MAX_USES, type PooledPage, type Visit } from './page-pool.js';

/** Options every console driver accepts, besides its own. */
export interface ConsoleCommonOptions {
  locatorTimeoutMs?: number;
  /** How old a kept listing's data may be for the next call to continue the visit (0: never). */
  visitWindowMs?: number;
}

const VIEWPORT = { width: 1280, height: 860 };

/**
 * Turns a console flow spec into a Driver. Everything that must be the same for every
 * console lives here: signed-in contexts kept between calls (page-pool.ts), a trace per
 * call (started after login), pop-up handlers, the screenshot trail, failure
 * capture, dry-run stops, and the read-back check after every change.
 */
export function defineConsoleDriver<C, O extends ConsoleCommonOptions>(spec: ConsoleDriverSpec<C, O>): DriverDefinition<C, O> {
  // Consoles are slow and stateful: two tasks at a time unless the spec says otherwise.
  return definitionFromSpec(spec, 'console', 2, (deps) => createConsoleDriver(spec, deps));
}

function createConsoleDriver<C, O extends ConsoleCommonOptions>(spec: ConsoleDriverSpec<C, O>, deps: DriverDeps<C, O>): Driver {
  if (!deps.console) throw new SeatctlError('INTERNAL', `${deps.app}: console drivers need the browser runtime`);
  const runtime = deps.console as ConsoleRuntime;
  const { app } = deps;
  const locatorTimeoutMs = deps.options.locatorTimeoutMs ?? 15_000;
  const visitWindowMs = deps.options.visitWindowMs ?? 10_000;
  /**
   * Kept visits whose data is older than this are never continued: set when any call
   * fails, so the read-back after a lost response (the engine's verify) and the retry
   * after it see the console as it is now, not a listing from before the failed change.
   */
  let visitsValidFrom = 0;

  /** `used`: the named locators the flow built, so a timeout names the one it waited for. */
  const flowContext = (page: Page, sink: EvidenceSink, dryRun: boolean, masks: Locator[], notes: string[], label: string, detectSignIn = true, extra: { trace?: TraceControl; used?: Map<string, string>; visits?: VisitState } = {}): FlowContext<C, O> =>
    makeFlowContext({
      ...extra,
      redactor: deps.redactor,
      retry: deps.retry,
      transientAlert: spec.transientAlert,
      page,
      app,
      baseUrl: deps.baseUrl,
      credentials: deps.credentials,
      options: deps.options,
      dryRun,
      log: deps.log,
      secret: deps.secret,
      locators: spec.locators,
      sink,
      screenshots: runtime.options.screenshots,
      locatorTimeoutMs,
      isLoginUrl: spec.isLoginUrl,
      detectSignIn,
      relogin: async (p) => {
        await endSession();
        const state = await sessions.current();
        await p.context().addCookies(state.cookies);
      },
      masks,
      notes,
      label,
      onStep: runtime.options.onStep,
    });

  const addPopupHandlers = async (page: Page): Promise<void> => {
    for (const popup of spec.popups ?? []) {
      await page.addLocatorHandler(popup.locator(page), () => popup.dismiss(page));
    }
  };

  // Login runs in its own context with no trace: credentials never enter a task trace.
  // Its screenshots (password and OTP masked) go to the evidence of the task that needed it.
  let loginSink: EvidenceSink | null = null;
  const sessions = createSessionKeeper({
    app,
    runtime,
    log: deps.log,
    performLogin: async (base: StorageState | null) => {
      const context = await runtime.pool.newContext({ viewport: VIEWPORT, ...(base ? { storageState: base } : {}) });
      context.setDefaultTimeout(locatorTimeoutMs);
      const masks: Locator[] = [];
      const used = new Map<string, string>();
      const page = await context.newPage();
      try {
        await addPopupHandlers(page);
        const sink = loginSink ?? nullSink();
        await spec.login(flowContext(page, sink, false, masks, [], 'login', false, { used }));
        return (await context.storageState()) as StorageState;
      } catch (err) {
        if (loginSink) await captureFailure(page, loginSink, masks);
        throw mapConsoleError(await explainTimeout(err, page, used), app, false);
      } finally {
        await context.close().catch(() => undefined);
      }
    },
  });

  /** The session ended: no kept context may serve again (their cookies are the old login's). */
  const endSession = async (): Promise<void> => {
    visitsValidFrom = Date.now();
    await pages.invalidate();
    await sessions.invalidate();
  };

  const pages = createPagePool({
    browsers: () => runtime.pool,
    maxIdle: spec.defaultConcurrency ?? 2,
    maxUses: DEFAULT_MAX_USES,
    async open() {
      const state = await sessions.current();
      const context = await runtime.pool.newContext({ viewport: VIEWPORT, storageState: state });
      context.setDefaultTimeout(locatorTimeoutMs);
      try {
        const page = await context.newPage();
        // Once per page: the handlers stay with it for every call it serves.
        await addPopupHandlers(page);
        return { context, page, state };
      } catch (err) {
        await context.close().catch(() => undefined);
        throw err;
      }
    },
  });

  /**
   * Trace files are named per phase and attempt, with a random suffix: a task planned
   * in one process and approved (or resumed) in another must never overwrite a trace
   * the first process wrote and hashed. `phase` and `attempt` are also recorded on the
   * evidence item, so tools pick a trace by what it did rather than by file name.
   */
  /**
   * Saves a call's trace as evidence. Playwright writes it to a private temporary file
   * first; the trace that is hashed and kept is the scrubbed copy (no cookie,
   * Set-Cookie or Authorization value, no known secret), created exclusively so no
   * process ever overwrites another's.
   */
  const saveTrace = async (entry: PooledPage, sink: EvidenceSink, label: string): Promise<void> => {
    const { context } = entry;
    const attempt = sink.items.filter((i) => i.kind === 'trace' && i.phase === label).length + 1;
    const name = `trace-${label}-${attempt}-${randomBytes(4).toString('hex')}.zip`;
    let scratch: string | null = null;
    try {
      // Playwright writes a trace only to a path, and would create a missing folder with
      // default (world-readable) permissions: a private folder of our own, removed below.
      await mkdir(sink.scratchDir, { recursive: true, mode: 0o700 });
      scratch = await mkdtemp(path.join(sink.scratchDir, 'trace-'));
      const raw = path.join(scratch, `unscrubbed-${name}`);
      await context.tracing.stop({ path: raw });
      // The cookies the context holds now too: a session may rotate its cookie over the calls a context serves.
      const live = await context.cookies().catch(() => []);
      const secrets = [...deps.redactor.secrets, ...entry.state.cookies.map((c) => c.value), ...live.map((c) => c.value)];
      await sink.saveFile(name, Buffer.from(scrubTrace(await readFile(raw), secrets)), 'trace', `Playwright trace: ${label}`, { phase: label, attempt });
    } catch (err) {
      // The tracing state is unknown now (a next start could fail): this context serves no other call.
      entry.spoiled = true;
      sink.note(`trace for ${label} not saved: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  };

  /** A Playwright wait that timed out, named after the locator it waited for (see locator-timeout.ts). */
  async function explainTimeout(err: unknown, page: Page, used: ReadonlyMap<string, string>): Promise<unknown> {
    if (!isPlaywrightTimeout(err) || page.isClosed()) return err;
    const waited = timedOutLocator(err, page, spec.locators, used);
    if (!waited) return err;
    return locatorTimeoutError(page, { app, locator: waited.locator, timeoutMs: locatorTimeoutMs, action: waited.action }, spec.transientAlert, err);
  }

  /**
   * The kept visit a call may continue, checked before its trace starts: the call is one
   * that may continue (a look-up or a change: their flows begin with `ctx.visit`), visits
   * are on, the data is younger than the window and than the last failure, and the page
   * is still on that listing with its ready locator visible. Null otherwise.
   */
  async function continuable(entry: PooledPage, mayContinue: boolean): Promise<Visit | null> {
    const visit = entry.visit;
    if (!visit || !mayContinue || visitWindowMs <= 0) return null;
    if (Date.now() - visit.dataAt > visitWindowMs || visit.dataAt < visitsValidFrom) return null;
    if (pathnameOf(entry.page) !== visit.path) return null;
    const ready = spec.locators[visit.ready];
    if (!ready) return null;
    return (await ready(entry.page).first().isVisible().catch(() => false)) ? visit : null;
  }

  /**
   * A kept page for a call, and the visit it may continue. A kept page on a visit the
   * call will not continue is blanked here, before the call's trace starts, so that
   * trace never begins on an old listing; a page that will not blank is closed.
   */
  async function acquirePage(mayContinue: boolean): Promise<{ entry: PooledPage; offered: Visit | null }> {
    for (;;) {
      const entry = await pages.acquire();
      if (!entry.visit) return { entry, offered: null };
      const offered = await continuable(entry, mayContinue);
      if (offered) return { entry, offered };
      entry.visit = null;
      if (await entry.page.goto('about:blank').then(() => true, () => false)) return { entry, offered: null };
      await pages.release(entry, false);
    }
  }

  /**
   * A signed-in page for one driver call: a kept one, or a new one from the shared
   * session. The call's evidence is its own: its own trace, its own screenshots, and a
   * page that starts blank — or on the listing of a visit it continues (`mayContinue`,
   * see FlowContext.visit). Only a call that succeeded gives its page back, blanked inside
   * its own trace unless the flow declared its listing worth keeping (`stayOnPage`);
   * after anything else the context is closed.
   */
  async function withPage<T>(call: DriverCallContext, label: string, fn: (ctx: FlowContext<C, O>) => Promise<T>, notes: string[] = [], mayContinue = false): Promise<T> {
    loginSink = call.evidence;
    const { entry, offered } = await acquirePage(mayContinue);
    const { context, page } = entry;
    const tracing = runtime.options.trace;
    // A trace of its own per call, also on a kept page (not a chunk: see trace-control.ts).
    const startTrace = (title: string) => context.tracing.start({ screenshots: runtime.options.traceFilmstrip ?? false, snapshots: true, title });
    // A secret step stops this trace (saved) and starts another after it.
    const trace = createTraceControl({ enabled: tracing, start: startTrace, save: () => saveTrace(entry, call.evidence, label) });
    const used = new Map<string, string>();
    const masks: Locator[] = [];
    const visits: VisitState = { offered, current: null, stay: false };
    let ok = false;
    try {
      if (tracing) await startTrace(`${app} ${label}`);
      const ctx = flowContext(page, call.evidence, call.dryRun, masks, notes, label, true, { trace, used, visits });
      const result = await fn(ctx);
      const kept = visits.stay && visitWindowMs > 0 && visits.current && pathnameOf(page) === visits.current.path ? visits.current : null;
      entry.visit = kept;
      // Otherwise blank, inside this call's trace, so the next call's trace and screenshots
      // start blank. A page that will not blank is not kept; the call's result stands.
      ok = kept
        ? true
        : await page.goto('about:blank').then(
            () => true,
            () => false,
          );
      return result;
    } catch (err) {
      if (err instanceof DryRunStop) throw err;
      visitsValidFrom = Date.now();
      const onLogin = safeIsLogin(page, spec.isLoginUrl);
      const mapped = mapConsoleError(await explainTimeout(err, page, used), app, onLogin);
      if (mapped.code === 'SESSION_EXPIRED') await endSession();
      if (mapped.code !== 'BROWSER_CRASHED') await captureFailure(page, call.evidence, masks);
      throw mapped;
    } finally {
      await trace.finish();
      await pages.release(entry, ok);
    }
  }

  /** A mutating flow: dry-run stops become "planned", real runs must pass the read-back. */
  async function change(call: DriverCallContext, op: Operation, role: string | undefined, before: AppUser | null, run: (ctx: FlowContext<C, O>) => Promise<AppUser | null>): Promise<ChangeResult> {
    try {
      const notes: string[] = [];
      const after = await withPage(call, op, run, notes, true);
      checkReadBack(app, op, after, role);
      return { changed: true, after, notes };
    } catch (err) {
      if (err instanceof DryRunStop) return { changed: false, planned: true, after: before, notes: [`dry run stopped at: ${err.caption}`] };
      throw err;
    }
  }

  /**
   * The document hand-over: dry runs stop at the confirmation, and a real run passes only
   * when the console, read back on the same page, shows the user owning no documents.
   */
  async function transfer(call: DriverCallContext, user: AppUser, toEmail: string): Promise<ChangeResult> {
    const flow = spec.transferOwnership!;
    try {
      const notes: string[] = [];
      const result = await withPage(call, 'transfer-ownership', (ctx) => flow(ctx, user, toEmail), notes);
      if (result.remaining !== 0) {
        throw new SeatctlError('READBACK_MISMATCH', `${app}: after the hand-over to ${toEmail}, ${user.email} still owns ${result.remaining} document(s)`, { details: { app, userId: user.id } });
      }
      const moved = `${result.moved} document(s) of ${user.email} handed over to ${toEmail}`;
      call.evidence.note(moved);
      return { changed: result.moved > 0, after: result.user, notes: [...notes, result.moved > 0 ? moved : `${user.email} owned no documents: nothing to hand over`] };
    } catch (err) {
      if (err instanceof DryRunStop) return { changed: false, planned: true, after: user, notes: [`dry run stopped at: ${err.caption}`] };
      throw err;
    }
  }

  return {
    app,
    kind: 'console',
    capabilities: {
      delete: Boolean(spec.delete) && (spec.capabilities?.delete ?? true),
      reactivate: Boolean(spec.reactivate),
      listsDeactivated: spec.capabilities?.listsDeactivated ?? true,
      provision: Boolean(spec.provision),
      setRole: Boolean(spec.setRole),
      transferOwnership: Boolean(spec.transferOwnership),
    },
    findUser: (email, call) => withPage(call, 'find', (ctx) => spec.findUser(ctx, email), [], true),
    /**
     * On a kept signed-in page, like every other call (a fresh context and its first
     * renderer cost ~0.3 s of a 1.1 s 10,000-member Stitch listing). No trace: a
     * listing's evidence is its rows. The page goes back blank after a listing read to
     * the end; one that failed or was left part-way (the caller stopped early) closes
     * with its context, including any extra tabs a flow opened in it.
     */
    async *listUsers(call, options) {
      loginSink = call.evidence;
      const { entry } = await acquirePage(false);
      const { page } = entry;
      const used = new Map<string, string>();
      let ok = false;
      try {
        const ctx = flowContext(page, call.evidence, false, [], [], 'list', true, { used });
        try {
          yield* spec.listUsers(ctx, {
            includeInactive: options?.includeInactive ?? true,
            ...(options?.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
            ...(options?.onTotal ? { onTotal: options.onTotal } : {}),
          });
          ok = page.context().pages().length === 1 && (page.url() === 'about:blank' || (await page.goto('about:blank').then(() => true, () => false)));
        } catch (err) {
          visitsValidFrom = Date.now();
          const mapped = mapConsoleError(await explainTimeout(err, page, used), app, safeIsLogin(page, spec.isLoginUrl));
          if (mapped.code === 'SESSION_EXPIRED') await endSession();
          throw mapped;
        }
      } finally {
        await pages.release(entry, ok);
      }
    },
    listRoles: (call) => withPage(call, 'roles', (ctx) => spec.listRoles(ctx)),
    canary: (call) =>
      withPage(call, 'canary', async (ctx) => {
        await spec.canary?.(ctx);
        await ctx.step('doctor canary');
        for await (const page of spec.listUsers(ctx, { includeInactive: false })) return { users: page.length };
        return { users: 0 };
      }),
    async validateProvision(specs, call) {
      checkRoles(app, specs.map((s) => s.role), await withPage(call, 'roles', (ctx) => spec.listRoles(ctx)));
    },
    ...(spec.transferOwnership ? { transferOwnership: (user: AppUser, toEmail: string, call: DriverCallContext) => transfer(call, user, toEmail) } : {}),
    ...mutationMethods(app, 'console driver', withRoleCheck<FlowContext<C, O>, ConsoleDriverSpec<C, O>>(app, spec, (ctx) => spec.listRoles(ctx)), change),
    async close() {
      // The browser belongs to the runtime, shared with other console apps; the kept contexts are ours.
      await pages.close();
    },
  };
}

function safeIsLogin(page: Page, isLoginUrl: (u: URL) => boolean): boolean {
  try {
    return !page.isClosed() && isLoginUrl(new URL(page.url()));
  } catch {
    return false;
  }
}

function nullSink(): EvidenceSink {
  return { scratchDir: '', items: [], add() {}, note() {}, saveFile: async () => ({ kind: 'screenshot', at: '', path: '', sha256: '', caption: '' }) };
}
