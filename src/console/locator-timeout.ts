import { errors as playwrightErrors, type Page } from 'playwright';
import { SeatctlError } from '../errors/index.js';
import type { LocatorMap } from './flow-context.js';

/**
 * What a locator that never appeared means, decided in one place for `ctx.find` and for
 * any other Playwright wait that timed out inside a flow (`locator.waitFor`, a click, a
 * `selectOption` on a missing option):
 * - the page still shows a spinner or a busy region: a slow console, `TIMEOUT`, retryable;
 * - the page shows an alert the console spec calls transient ("went wrong on our end"):
 *   the console's server failed, `UPSTREAM_UNAVAILABLE`, retryable;
 * - otherwise `LOCATOR_NOT_FOUND`, permanent: the page finished loading without the
 *   control, which is a redesign or a wrong locator, and repeating the same wait four
 *   times only multiplies the locator timeout.
 * Every one names the locator (by its name in the console's locator map when it is one,
 * else by Playwright's description of it) and carries whatever alert the console showed.
 */
export interface TimeoutFacts {
  app: string;
  /** The locator's name in the console's map, or Playwright's description of it. */
  locator: string;
  args?: string[];
  timeoutMs: number;
  /** What Playwright was doing (`locator.waitFor`, `locator.selectOption`), for the message. */
  action?: string;
}

/** A spinner (progressbar), a busy region or a "Loading…" status on screen. */
export async function stillLoading(page: Page): Promise<boolean> {
  const busy = page.getByRole('progressbar').or(page.locator('[aria-busy="true"]')).or(page.getByRole('status').filter({ hasText: /loading/i }));
  return busy
    .first()
    .isVisible()
    .catch(() => false);
}

/** The text of the first non-empty alert on the page: the console's own words for what went wrong. */
export async function consoleMessage(page: Page): Promise<string | null> {
  if (page.isClosed()) return null;
  try {
    const alerts = await page.getByRole('alert').filter({ hasText: /\S/ }).allInnerTexts();
    const text = alerts.map((a) => a.trim().replace(/\s+/g, ' ')).find(Boolean);
    return text ? text.slice(0, 300) : null;
  } catch {
    return null;
  }
}

export async function locatorTimeoutError(page: Page, facts: TimeoutFacts, transientAlert: RegExp | undefined, cause?: unknown): Promise<SeatctlError> {
  const { app, locator, args = [], timeoutMs } = facts;
  const message = await consoleMessage(page);
  const loading = await stillLoading(page);
  const what = `locator "${locator}"${args.length ? ` (${args.join(', ')})` : ''}`;
  const said = message ? `; the console says: "${message}"` : '';
  const details = { app, locator, ...(args.length ? { args } : {}), url: safeUrl(page), ...(message ? { message } : {}), ...(facts.action ? { action: facts.action } : {}) };
  const options = (extra: Record<string, unknown> = {}) => ({ details: { ...details, ...extra }, ...(cause === undefined ? {} : { cause }) });
  if (loading) return new SeatctlError('TIMEOUT', `${app}: ${what} did not appear within ${timeoutMs} ms: the page is still loading${said}`, options({ loading: true }));
  if (message && transientAlert?.test(message)) return new SeatctlError('UPSTREAM_UNAVAILABLE', `${app}: ${what} did not appear: the console reported a failure on its side${said}`, options());
  return new SeatctlError('LOCATOR_NOT_FOUND', `${app}: ${what} did not appear within ${timeoutMs} ms — has the console changed?${said}`, options());
}

/**
 * The locator a Playwright timeout was waiting for, from its call log ("waiting for
 * getByRole('table', { name: 'Users' }) to be visible"), named after the console's locator
 * map where its description matches one (several names joined by " or " for an `.or()`).
 */
export function timedOutLocator(err: playwrightErrors.TimeoutError, page: Page, locators: LocatorMap, used: ReadonlyMap<string, string>): { locator: string; action: string } | null {
  const plain = err.message.replace(/\u001b\[[0-9;]*m/g, '');
  const action = /^(\S+?):/.exec(plain)?.[1] ?? 'wait';
  const waited = /waiting for (.+?)(?: to be (?:visible|hidden|attached|detached))?\s*$/m.exec(plain)?.[1]?.trim();
  if (!waited) return null;
  // Descriptions of the map's locators: the ones the flow built (with their arguments), then defaults.
  const known = new Map<string, string>(used);
  for (const [name, factory] of Object.entries(locators)) {
    try {
      const text = String(factory(page));
      if (!known.has(text)) known.set(text, name);
    } catch {
      // a factory that needs its arguments: only known when the flow used it
    }
  }
  const exact = known.get(waited);
  if (exact) return { locator: exact, action };
  const inside = [...known.entries()].filter(([text]) => waited.includes(text));
  // Keep the widest matches: `inviteDialog` is part of `inviteEmail`'s description.
  const widest = inside.filter(([text]) => !inside.some(([other]) => other !== text && other.includes(text))).map(([, name]) => name);
  return { locator: widest.length ? [...new Set(widest)].join(' or ') : waited, action };
}

export const isPlaywrightTimeout = (err: unknown): err is playwrightErrors.TimeoutError => err instanceof playwrightErrors.TimeoutError;

function safeUrl(page: Page): string {
  try {
    return page.url();
  } catch {
    return '';
  }
}
