import type { Page } from 'playwright';
import type { DriverSpecBase } from '../drivers/definition.js';
import type { ProvisionSpec } from '../drivers/driver.js';
import type { AppUser } from '../model/index.js';
import type { FlowContext, LocatorMap, Popup } from './flow-context.js';

/**
 * A console driver as its author writes it: the flows for one admin console and its
 * locators. `defineConsoleDriver` turns it into a Driver with sessions, tracing,
 * screenshots, dry run, read-back checks and error mapping — the same for every console.
 * Each mutating flow returns the user as read back from the console afterwards.
 */
export interface ConsoleDriverSpec<C, O> extends DriverSpecBase<C, O> {
  /** One module per console: a redesign is a one-file change. */
  locators: LocatorMap;
  /** Pop-ups that may appear at any time (what's new, cookie banners). */
  popups?: Popup[];
  /**
   * The console's words for a failure on its side (5xx, 429, network), as its alerts say
   * them: a control that never appeared while such an alert shows is UPSTREAM_UNAVAILABLE
   * (retryable), not LOCATOR_NOT_FOUND.
   */
  transientAlert?: RegExp;
  /** True for the sign-in page (and MFA steps): the session is gone. */
  isLoginUrl(url: URL): boolean;
  capabilities?: { delete?: boolean; reactivate?: boolean; listsDeactivated?: boolean };
  login(ctx: FlowContext<C, O>): Promise<void>;
  findUser(ctx: FlowContext<C, O>, email: string): Promise<AppUser | null>;
  /** `onTotal` as in the driver's ListOptions: call it once if the console shows a total. */
  listUsers(ctx: FlowContext<C, O>, options: { includeInactive: boolean; concurrency?: number; onTotal?: (total: number) => void }): AsyncIterable<AppUser[]>;
  listRoles(ctx: FlowContext<C, O>): Promise<string[]>;
  provision?(ctx: FlowContext<C, O>, spec: ProvisionSpec): Promise<AppUser | null>;
  setRole?(ctx: FlowContext<C, O>, user: AppUser, role: string): Promise<AppUser | null>;
  /** Required unless the driver exists for another operation only (`transferOwnership`). */
  deactivate?(ctx: FlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  reactivate?(ctx: FlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  delete?(ctx: FlowContext<C, O>, user: AppUser): Promise<AppUser | null>;
  /**
   * Hands every document `user` owns to the member `toEmail` (see Driver.transferOwnership),
   * confirming through `ctx.confirm` (a dry run stops there). Returns what the console
   * shows afterwards: the user, how many documents moved, and how many the user still
   * owns, read back on the page (must be 0, or the builder fails the task).
   */
  transferOwnership?(ctx: FlowContext<C, O>, user: AppUser, toEmail: string): Promise<OwnershipReadBack>;
  /**
   * Read-only health check for `seatctl doctor`, after login: visit the pages the
   * flows use and `find` their key locators, so a redesign is named before a real
   * task trips on it.
   */
  canary?(ctx: FlowContext<C, O>): Promise<void>;
}

/** What a console shows after a hand-over (ConsoleDriverSpec.transferOwnership). */
export interface OwnershipReadBack {
  user: AppUser | null;
  /** Documents the console says it moved (0: the user owned nothing). */
  moved: number;
  /** Documents the user still owns, as the page shows them after the hand-over. */
  remaining: number;
}

export type { Page };
