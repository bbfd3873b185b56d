import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright';
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
import { makeFlowContext } from './make-flow-context.js';
import { mapConsoleError } from './map-console-error.js';
import { captureFailure } from './screenshot.js';
import { createSessionKeeper } from './session-keeper.js';
import { scrubTrace } from './trace-scrub.js';
import { createTraceControl, type TraceControl } from './trace-control.js';

/** Options every console driver accepts, besides its own. */
export interface ConsoleCommonOptions {
  locatorTimeoutMs?: number;
}

const VIEWPORT = { width: 1280, height: 860 };

/**
 * Turns a console flow spec into a Driver. Everything that must be the same for every
 * console lives here: a context per task from the shared logged-in state, a trace per
 * task (started after login), pop-up handlers, the screenshot trail, failure capture,
 * dry-run stops, and the read-back check after every change.
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

  /** `used`: the named locators the flow built, so a timeout names the one it waited for. */
  const flowContext = (page: Page, sink: EvidenceSink, dryRun: boolean, masks: Locator[], notes: string[], label: string, detectSignIn = true, extra: { trace?: TraceControl; used?: Map<string, string> } = {}): FlowContext<C, O> =>
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
        await sessions.invalidate();
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
  const stopTrace = async (context: BrowserContext, sink: EvidenceSink, label: string, session: StorageState | undefined): Promise<void> => {
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
      const secrets = [...deps.redactor.secrets, ...(session?.cookies ?? []).map((c) => c.value)];
      await sink.saveFile(name, Buffer.from(scrubTrace(await readFile(raw), secrets)), 'trace', `Playwright trace: ${label}`, { phase: label, attempt });
    } catch (err) {
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

  /** A fresh context and page for one driver call, from the shared session. */
  async function withPage<T>(call: DriverCallContext, label: string, fn: (ctx: FlowContext<C, O>) => Promise<T>, notes: string[] = []): Promise<T> {
    loginSink = call.evidence;
    const state = await sessions.current();
    const context = await runtime.pool.newContext({ viewport: VIEWPORT, storageState: state });
    context.setDefaultTimeout(locatorTimeoutMs);
    const tracing = runtime.options.trace;
    const startTrace = (title: string) => context.tracing.start({ screenshots: true, snapshots: true, title });
    if (tracing) await startTrace(`${app} ${label}`);
    // A secret step stops this trace (saved) and starts another after it: see trace-control.ts.
    const trace = createTraceControl({ enabled: tracing, start: startTrace, save: () => stopTrace(context, call.evidence, label, state) });
    const used = new Map<string, string>();
    const masks: Locator[] = [];
    let page: Page | null = null;
    try {
      page = await context.newPage();
      await addPopupHandlers(page);
      const ctx = flowContext(page, call.evidence, call.dryRun, masks, notes, label, true, { trace, used });
      const result = await fn(ctx);
      return result;
    } catch (err) {
      if (err instanceof DryRunStop) throw err;
      const onLogin = page ? safeIsLogin(page, spec.isLoginUrl) : false;
      const mapped = mapConsoleError(page ? await explainTimeout(err, page, used) : err, app, onLogin);
      if (mapped.code === 'SESSION_EXPIRED') await sessions.invalidate();
      if (page && mapped.code !== 'BROWSER_CRASHED') await captureFailure(page, call.evidence, masks);
      throw mapped;
    } finally {
      await trace.finish();
      await context.close().catch(() => undefined);
    }
  }

  /** A mutating flow: dry-run stops become "planned", real runs must pass the read-back. */
  async function change(call: DriverCallContext, op: Operation, role: string | undefined, before: AppUser | null, run: (ctx: FlowContext<C, O>) => Promise<AppUser | null>): Promise<ChangeResult> {
    try {
      const notes: string[] = [];
      const after = await withPage(call, op, run, notes);
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
    findUser: (email, call) => withPage(call, 'find', (ctx) => spec.findUser(ctx, email)),
    async *listUsers(call, options) {
      loginSink = call.evidence;
      const state = await sessions.current();
      const context = await runtime.pool.newContext({ viewport: VIEWPORT, storageState: state });
      context.setDefaultTimeout(locatorTimeoutMs);
      const page = await context.newPage();
      const used = new Map<string, string>();
      try {
        await addPopupHandlers(page);
        const ctx = flowContext(page, call.evidence, false, [], [], 'list', true, { used });
        try {
          yield* spec.listUsers(ctx, {
            includeInactive: options?.includeInactive ?? true,
            ...(options?.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
            ...(options?.onTotal ? { onTotal: options.onTotal } : {}),
          });
        } catch (err) {
          const mapped = mapConsoleError(await explainTimeout(err, page, used), app, safeIsLogin(page, spec.isLoginUrl));
          if (mapped.code === 'SESSION_EXPIRED') await sessions.invalidate();
          throw mapped;
        }
      } finally {
        await context.close().catch(() => undefined);
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
      // The browser belongs to the runtime, shared with other console apps.
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
