import type { Locator, Page } from 'playwright';
import type { FlowBase } from '../drivers/flow-base.js';

/**
 * What a console flow gets: the page, its config, and the few helpers that make a
 * flow safe to run unattended — named locators that fail with the locator's name,
 * screenshots into the audit trail, secret filling that is always masked, and a
 * confirmation step that a dry run stops at.
 */
export type LocatorFactory = (page: Page, ...args: string[]) => Locator;
export type LocatorMap = Record<string, LocatorFactory>;

export interface Popup {
  /** Visible when the pop-up is in the way (a dialog, a banner). */
  locator: (page: Page) => Locator;
  dismiss: (page: Page) => Promise<void>;
}

export interface FlowContext<C = unknown, O = unknown> extends FlowBase<C, O> {
  page: Page;
  /** Navigates to a path under baseUrl; logs in again (once) when the app sends us to sign-in. */
  goto(path: string): Promise<void>;
  /**
   * Opens a listing page of the console and waits for its `ready` locator — or, as the
   * first step of a call, continues the signed-in visit the kept page is already on: same
   * path, same ready locator (visible now), data younger than the app's `visitWindowMs`.
   * A continued visit adds a note giving the age of the data the task sees. `fresh`
   * always loads the page (e.g. a fallback read-back). `dataAt`: when the page's data
   * was loaded (for a new load: when the navigation began, so the age is never understated).
   */
  visit(path: string, ready: string, options?: { fresh?: boolean }): Promise<{ continued: boolean; dataAt: number }>;
  /**
   * Declares that the page the call ends on is the listing of this call's last `visit`,
   * as fresh from the server as `dataLoadedAt` (default: that visit's data time). Only
   * then is the page kept there after a call that succeeded, for the next call to
   * continue; otherwise it is blanked as always.
   */
  stayOnPage(dataLoadedAt?: number): void;
  /**
   * The absolute URL of a path under baseUrl, keeping the base's own path
   * (`/wp-admin/users.php` under `https://host/blog` is `https://host/blog/wp-admin/users.php`).
   */
  url(path: string): string;
  /** A named locator from the console's locator module, not waited for. */
  locator(name: string, ...args: string[]): Locator;
  /** The named locator, once visible; fails with LOCATOR_NOT_FOUND naming it. */
  find(name: string, ...args: string[]): Promise<Locator>;
  /**
   * True once `target` is visible; false when the locator timeout passes first or `signal`
   * is aborted. For a wait raced against something else: a bare `waitFor` that loses the
   * race keeps polling the page (and every page the tab shows next) until its timeout.
   */
  shown(target: Locator, signal?: AbortSignal): Promise<boolean>;
  /** Fills a secret credential; the field is masked in every later screenshot. */
  fillSecret(target: Locator, field: string): Promise<void>;
  /**
   * Fills a secret that is not a credential: a generated password (registered with the
   * redactor, so no log or note can show it) or a one-time code (`redact: false`: six
   * digits would scrub unrelated numbers, and a used code is worthless). Masked like
   * `fillSecret`.
   */
  fillSecretValue(target: Locator, value: string, options?: { redact?: boolean }): Promise<void>;
  /**
   * Runs `fn` with the task's Playwright trace paused: a trace records typed values, every
   * field's value in its DOM snapshots and request bodies, so a step that types a secret
   * (with `fillSecret`/`fillSecretValue`) must run inside one, up to the point where the
   * secret has left the page (the form was submitted and the next page shows). The trace
   * resumes afterwards only if no field still holds a value typed in the step; otherwise,
   * and after a failure inside the step, it stays off for the rest of the task. Typing a
   * secret outside a secret step while tracing stops the trace for the rest of the task.
   */
  secretStep<T>(caption: string, fn: () => Promise<T>): Promise<T>;
  /**
   * Runs one read the console lets us repeat — a page of a list — with the app's retry
   * policy: transient failures (5xx alerts, timeouts, a closed connection) are retried with
   * backoff, each retry logged and noted with the error's message; a session that ended is
   * signed in again once. `fn` gets the attempt number (1 first): from the second on it must
   * load what it reads itself (by address), since the page may show an error instead.
   * Listings use it per page, so a failure resumes at that page: nothing is read twice or skipped.
   */
  retryRead<T>(what: string, fn: (attempt: number) => Promise<T>): Promise<T>;
  /** Marks a field (e.g. an OTP code) to be masked in screenshots. */
  mask(target: Locator): void;
  /** A fact for the task's result and evidence (e.g. "a To-Do was created for the approvals"). */
  note(text: string): void;
  /** A numbered JPEG in the task's screenshot trail. */
  step(caption: string): Promise<void>;
  /**
   * At a confirmation point: screenshot it, then confirm — or, in a dry run, cancel
   * and stop the flow there (the driver reports what would have changed).
   */
  confirm(confirm: Locator | (() => Promise<unknown>), cancelButton: Locator | null, caption: string): Promise<void>;
}

/** Thrown by `confirm` in a dry run; the console driver turns it into a planned result. */
export class DryRunStop extends Error {
  constructor(readonly caption: string) {
    super(`dry run stopped at: ${caption}`);
    this.name = 'DryRunStop';
  }
}
