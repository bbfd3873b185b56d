import type { Locator, Page } from 'playwright';
import { retryPolicySchema, type RetryPolicy } from '../config/schema.js';
import { SeatctlError } from '../errors/index.js';
import type { EvidenceSink } from '../drivers/driver.js';
import type { FlowBase } from '../drivers/flow-base.js';
import type { Redactor } from '../log/redactor.js';
import { decideRetry } from '../queue/retry-decision.js';
import { DryRunStop, type FlowContext, type LocatorMap } from './flow-context.js';
import { isPlaywrightTimeout, locatorTimeoutError } from './locator-timeout.js';
import { waitVisible } from './wait-visible.js';
import { mapConsoleError } from './map-console-error.js';
import { captureStep } from './screenshot.js';
import { noTrace, type TraceControl } from './trace-control.js';
import type { Visit } from './page-pool.js';

/**
 * One call's console visits (see FlowContext.visit): what the driver offers it to
 * continue, the visit it is on, and whether it declared the page worth keeping.
 */
export interface VisitState {
  /** The kept visit, already checked by the driver (fresh, on its page, ready) before the trace began; only the call's first `visit` may continue it. */
  offered: Visit | null;
  /** The call's last visit. */
  current: Visit | null;
  /** Set by `stayOnPage`. */
  stay: boolean;
}

export interface FlowContextDeps<C, O> extends FlowBase<C, O> {
  page: Page;
  locators: LocatorMap;
  sink: EvidenceSink;
  screenshots: boolean;
  locatorTimeoutMs: number;
  isLoginUrl(url: URL): boolean;
  /** False while logging in: there, being on the sign-in page is the point. */
  detectSignIn: boolean;
  /** Called when a navigation lands on sign-in: returns after a fresh login's cookies are in this context. */
  relogin(page: Page): Promise<void>;
  masks: Locator[];
  /** Notes for the task result. */
  notes: string[];
  onStep?: ((caption: string) => Promise<void>) | undefined;
  /** Prefix of screenshot file names, e.g. "deactivate". */
  label: string;
  /** Registers generated secrets (a typed initial password) for scrubbing. */
  redactor?: Redactor | undefined;
  /** The task's trace, paused around secret steps; absent where nothing is traced. */
  trace?: TraceControl | undefined;
  /** The app's retry policy, for `retryRead`. */
  retry?: RetryPolicy | undefined;
  /** The console's words for a failure on its side (see ConsoleDriverSpec.transientAlert). */
  transientAlert?: RegExp | undefined;
  /** Descriptions of the named locators this context built → their names, for naming timeouts. */
  used?: Map<string, string>;
  /** Absent where no page is kept (sign-in, listings): `visit` then always loads and `stayOnPage` does nothing. */
  visits?: VisitState | undefined;
}

/** The pathname the page is on, or null (closed, or not a URL). */
export function pathnameOf(page: Page): string | null {
  try {
    return page.isClosed() ? null : new URL(page.url()).pathname;
  } catch {
    return null;
  }
}

const onLogin = (page: Page, isLoginUrl: (u: URL) => boolean): boolean => {
  try {
    return isLoginUrl(new URL(page.url()));
  } catch {
    return false;
  }
};

/**
 * A path under the console's base URL, keeping the base's own path: a console served at
 * `https://host/blog` has its users page at `https://host/blog/wp-admin/users.php`, which
 * `new URL('/wp-admin/users.php', base)` would turn into `https://host/wp-admin/users.php`.
 * A full URL (`https://…`) is taken as it is.
 */
export function urlUnderBase(baseUrl: string, p: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return new URL(p).toString();
  const base = new URL(baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return new URL(p.replace(/^\/+/, ''), base).toString();
}

const DEFAULT_RETRY = retryPolicySchema.parse({});
const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

export function makeFlowContext<C, O>(deps: FlowContextDeps<C, O>): FlowContext<C, O> {
  const { page } = deps;
  const trace = deps.trace ?? noTrace;
  const used = deps.used ?? new Map<string, string>();
  let shots = 0;
  /** Values typed by fillSecret/fillSecretValue in the current secret step (null: not in one). */
  let typed: string[] | null = null;
  const url = (p: string) => urlUnderBase(deps.baseUrl, p);
  const named = (name: string, args: string[]): Locator => {
    const factory = deps.locators[name];
    if (!factory) throw new SeatctlError('INTERNAL', `${deps.app}: no locator named "${name}"`);
    const locator = factory(page, ...args);
    used.set(String(locator), name);
    return locator;
  };

  /** Typing a secret with the trace recording and no secret step around it: stop tracing for good. */
  const beforeSecret = async (value: string) => {
    if (typed) {
      typed.push(value);
      return;
    }
    if (trace.recording) {
      trace.seal();
      await trace.pause();
      deps.sink.note('trace stopped before a secret was typed outside a secret step; not resumed in this task');
    }
  };

  const ctx: FlowContext<C, O> = {
    page,
    app: deps.app,
    baseUrl: deps.baseUrl,
    credentials: deps.credentials,
    options: deps.options,
    dryRun: deps.dryRun,
    log: deps.log,
    secret: deps.secret,
    url,
    async goto(p) {
      await page.goto(url(p), { waitUntil: 'domcontentloaded' });
      // While logging in, the sign-in page is where a flow should be, not an expired session.
      if (deps.detectSignIn && onLogin(page, deps.isLoginUrl)) {
        await deps.relogin(page);
        await page.goto(url(p), { waitUntil: 'domcontentloaded' });
        if (onLogin(page, deps.isLoginUrl)) throw new SeatctlError('AUTH_FAILED', `${deps.app}: still at sign-in after logging in again`);
      }
    },
    async visit(p, ready, options = {}) {
      const v = deps.visits;
      const path = new URL(url(p)).pathname;
      const kept = v?.offered ?? null;
      if (v) v.offered = null;
      // The driver checked the kept page (on its path, ready shown, data young) just
      // before the trace began; this only matches the call's wish against it.
      if (v && kept && !options.fresh && kept.path === path && kept.ready === ready) {
        kept.calls += 1;
        v.current = kept;
        const age = Math.max(0, Date.now() - kept.dataAt) / 1000;
        ctx.note(`continued the signed-in visit of ${path}: its data was loaded at ${new Date(kept.dataAt).toISOString()} (${age.toFixed(1)} s before), call ${kept.calls} of this visit`);
        return { continued: true, dataAt: kept.dataAt };
      }
      const dataAt = Date.now();
      await ctx.goto(p);
      await ctx.find(ready);
      if (v) v.current = { path, ready, dataAt, calls: 1 };
      return { continued: false, dataAt };
    },
    stayOnPage(dataLoadedAt) {
      const v = deps.visits;
      if (!v) return;
      if (!v.current) throw new SeatctlError('INTERNAL', `${deps.app}: stayOnPage called in a call that made no visit`);
      if (dataLoadedAt !== undefined) v.current.dataAt = dataLoadedAt;
      v.stay = true;
    },
    locator: (name, ...args) => named(name, args),
    async find(name, ...args) {
      const target = named(name, args);
      // Race the locator against a redirect to sign-in, so an expired session is
      // recognised at once instead of after a locator timeout.
      const toLogin = deps.detectSignIn
        ? page.waitForURL((u) => deps.isLoginUrl(u), { timeout: deps.locatorTimeoutMs }).then(() => 'login' as const, () => 'timeout' as const)
        : new Promise<'timeout'>(() => undefined);
      // A wait that failed other than by timing out (the browser closed or crashed under
      // it) keeps its error: reported as a missing locator it would be a permanent failure.
      let failure: unknown = null;
      const visible = waitVisible(target.first(), deps.locatorTimeoutMs).then(
        (shown) => (shown ? ('found' as const) : ('timeout' as const)),
        (err: unknown) => {
          failure = err;
          return 'timeout' as const;
        },
      );
      const first = await Promise.race([visible, toLogin.then((r) => (r === 'login' ? r : visible))]);
      if (first === 'found') return target;
      const onSignIn = first === 'login' || (deps.detectSignIn && onLogin(page, deps.isLoginUrl));
      if (onSignIn) throw new SeatctlError('SESSION_EXPIRED', `${deps.app}: the console session ended (redirected to sign-in)`);
      if (failure) throw failure;
      throw await locatorTimeoutError(page, { app: deps.app, locator: name, args, timeoutMs: deps.locatorTimeoutMs, action: 'find' }, deps.transientAlert);
    },
    shown: (target, signal) => waitVisible(target, deps.locatorTimeoutMs, signal),
    async fillSecret(target, field) {
      deps.masks.push(target);
      const value = deps.secret(field);
      await beforeSecret(value);
      await target.fill(value);
    },
    async fillSecretValue(target, value, options = {}) {
      deps.masks.push(target);
      if (options.redact ?? true) deps.redactor?.add(value);
      await beforeSecret(value);
      await target.fill(value);
    },
    async secretStep(caption, fn) {
      // Nested, or nothing traced here (sign-in runs in its own untraced context).
      if (typed || !deps.trace) return fn();
      typed = [];
      await trace.pause();
      let ok = false;
      try {
        const result = await fn();
        ok = true;
        return result;
      } finally {
        const values = typed;
        typed = null;
        // Resume only when nothing typed in the step is still in a field: a DOM snapshot
        // records every input's value. Checked while paused, so the check leaves no trace.
        const left = ok && !page.isClosed() ? await valuesOnPage(page, values) : true;
        if (left) {
          trace.seal();
          deps.sink.note(`trace paused at "${caption}" and not resumed (${ok ? 'a typed secret is still in a field' : 'the step failed'})`);
        } else {
          await trace.resume(`${deps.app} ${deps.label} (after ${caption})`);
        }
      }
    },
    async retryRead(what, fn) {
      const policy = deps.retry ?? DEFAULT_RETRY;
      let attempt = 0;
      let throttleWaits = 0;
      let relogins = 0;
      for (;;) {
        attempt += 1;
        try {
          return await fn(attempt);
        } catch (err) {
          if (err instanceof DryRunStop) throw err;
          const timedOut = isPlaywrightTimeout(err) && !page.isClosed();
          const error = timedOut ? new SeatctlError('TIMEOUT', `${deps.app}: ${what}: ${(err as Error).message.split('\n')[0]}`, { cause: err }) : mapConsoleError(err, deps.app, false);
          // A session that ended mid-list: sign in again (once) and read the same part again.
          if (error.retryClass === 'session' && deps.detectSignIn && relogins === 0) {
            relogins += 1;
            await deps.relogin(page);
          } else {
            const decision = decideRetry(error, { attempt, throttleWaits }, policy);
            if (decision.action === 'fail' || error.retryClass === 'session') throw error;
            if (!decision.spendsAttempt) {
              attempt -= 1;
              throttleWaits += 1;
            }
            deps.log.warn({ app: deps.app, read: what, attempt, code: error.code, delayMs: decision.delayMs }, `retrying ${what}: ${error.message}`);
            deps.sink.note(`retry of ${what} after ${error.code}: ${error.message}`);
            await sleep(decision.delayMs);
          }
        }
      }
    },
    note(text) {
      deps.notes.push(text);
      deps.sink.note(text);
    },
    mask(target) {
      deps.masks.push(target);
    },
    async step(caption) {
      if (!deps.screenshots) return;
      shots += 1;
      await captureStep(page, deps.sink, caption, deps.masks, `${deps.label}-${String(shots).padStart(2, '0')}`);
      await deps.onStep?.(caption);
    },
    async confirm(confirmAction, cancelButton, caption) {
      await ctx.step(caption);
      if (deps.dryRun) {
        // Where the console has no cancel (a one-click action), stopping is cancelling.
        if (cancelButton) await cancelButton.click();
        deps.sink.note(`dry run: stopped at "${caption}" and cancelled`);
        throw new DryRunStop(caption);
      }
      // A button to click, or an action such as a select that saves on change.
      if (typeof confirmAction === 'function') await confirmAction();
      else await confirmAction.click();
    },
  };
  return ctx;
}

/** True when any input, textarea or contenteditable in any frame holds one of these values. */
async function valuesOnPage(page: Page, values: readonly string[]): Promise<boolean> {
  if (!values.length) return false;
  try {
    for (const frame of page.frames()) {
      const found = await frame.evaluate((wanted) => {
        const fields = [...document.querySelectorAll('input, textarea')] as (HTMLInputElement | HTMLTextAreaElement)[];
        return fields.some((f) => wanted.some((v) => f.value.includes(v)));
      }, values as string[]);
      if (found) return true;
    }
    return false;
  } catch {
    return true;
  }
}

