import type { Locator, Page } from 'playwright';
import { SeatctlError } from '../errors/index.js';
import type { EvidenceSink } from '../drivers/driver.js';
import type { FlowBase } from '../drivers/flow-base.js';
import { DryRunStop, type FlowContext, type LocatorMap } from './flow-context.js';
import { captureStep } from './screenshot.js';

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
}

const onLogin = (page: Page, isLoginUrl: (u: URL) => boolean): boolean => {
  try {
    return isLoginUrl(new URL(page.url()));
  } catch {
    return false;
  }
};

/** A spinner (progressbar), a busy region or a "Loading…" status on screen. */
async function stillLoading(page: Page): Promise<boolean> {
  const busy = page.getByRole('progressbar').or(page.locator('[aria-busy="true"]')).or(page.getByRole('status').filter({ hasText: /loading/i }));
  return busy
    .first()
    .isVisible()
    .catch(() => false);
}

export function makeFlowContext<C, O>(deps: FlowContextDeps<C, O>): FlowContext<C, O> {
  const { page } = deps;
  let shots = 0;
  const url = (p: string) => new URL(p, deps.baseUrl.endsWith('/') ? deps.baseUrl : `${deps.baseUrl}/`).toString();
  const named = (name: string, args: string[]): Locator => {
    const factory = deps.locators[name];
    if (!factory) throw new SeatctlError('INTERNAL', `${deps.app}: no locator named "${name}"`);
    return factory(page, ...args);
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
    async goto(p) {
      await page.goto(url(p), { waitUntil: 'domcontentloaded' });
      // While logging in, the sign-in page is where a flow should be, not an expired session.
      if (deps.detectSignIn && onLogin(page, deps.isLoginUrl)) {
        await deps.relogin(page);
        await page.goto(url(p), { waitUntil: 'domcontentloaded' });
        if (onLogin(page, deps.isLoginUrl)) throw new SeatctlError('AUTH_FAILED', `${deps.app}: still at sign-in after logging in again`);
      }
    },
    locator: (name, ...args) => named(name, args),
    async find(name, ...args) {
      const target = named(name, args);
      // Race the locator against a redirect to sign-in, so an expired session is
      // recognised at once instead of after a locator timeout.
      const toLogin = deps.detectSignIn
        ? page.waitForURL((u) => deps.isLoginUrl(u), { timeout: deps.locatorTimeoutMs }).then(() => 'login' as const, () => 'timeout' as const)
        : new Promise<'timeout'>(() => undefined);
      const visible = target.first().waitFor({ state: 'visible', timeout: deps.locatorTimeoutMs }).then(() => 'found' as const, () => 'timeout' as const);
      const first = await Promise.race([visible, toLogin.then((r) => (r === 'login' ? r : visible))]);
      if (first === 'found') return target;
      if (first === 'login' || (deps.detectSignIn && onLogin(page, deps.isLoginUrl))) throw new SeatctlError('SESSION_EXPIRED', `${deps.app}: the console session ended (redirected to sign-in)`);
      // Still loading is a slow console, not a redesign: retryable, and not blamed on the locator.
      if (await stillLoading(page)) {
        throw new SeatctlError('TIMEOUT', `${deps.app}: locator "${name}" did not appear within ${deps.locatorTimeoutMs} ms: the page is still loading`, {
          details: { app: deps.app, locator: name, args, url: page.url(), loading: true },
        });
      }
      throw new SeatctlError('LOCATOR_NOT_FOUND', `${deps.app}: locator "${name}"${args.length ? ` (${args.join(', ')})` : ''} did not appear within ${deps.locatorTimeoutMs} ms — has the console changed?`, {
        details: { app: deps.app, locator: name, args, url: page.url() },
      });
    },
    async fillSecret(target, field) {
      deps.masks.push(target);
      await target.fill(deps.secret(field));
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
