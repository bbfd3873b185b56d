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
  /** A named locator from the console's locator module, not waited for. */
  locator(name: string, ...args: string[]): Locator;
  /** The named locator, once visible; fails with LOCATOR_NOT_FOUND naming it. */
  find(name: string, ...args: string[]): Promise<Locator>;
  /** Fills a secret credential; the field is masked in every later screenshot. */
  fillSecret(target: Locator, field: string): Promise<void>;
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
