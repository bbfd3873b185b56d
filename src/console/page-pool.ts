import type { BrowserContext, Page } from 'playwright';
import type { BrowserPool } from '../browser/browser-pool.js';
import type { StorageState } from './console-runtime.js';

/**
 * One console app's signed-in contexts, each with its one page, kept between driver
 * calls: a new context and page cost ≈400 ms here, more than a console page visit.
 *
 * What is reused: the context (cookies of the session), its page and the pop-up
 * handlers on it. What never is: a trace (each call starts and saves its own); a
 * context after a call that failed, stopped at a dry-run confirmation, or saw its
 * session end (its state is unknown, or its cookies are the old login's); a context
 * past `maxUses` calls (bounded memory); one whose browser was retired (the browser
 * could never drain). A kept page
 * is first sent to about:blank by the driver, inside the call's own trace, so the
 * next task's evidence starts on a blank page, never on the previous person's — unless
 * the call ended on a console listing whose flow declared it fresh from the server
 * (`ctx.stayOnPage`): then the page stays there, with its `visit`, for the next call to
 * continue within the app's `visitWindowMs` (see define-console-driver.ts).
 */
export interface PooledPage {
  context: BrowserContext;
  page: Page;
  /** The session state the context was made from (its cookie values are scrubbed from traces). */
  state: StorageState;
  /** Calls served so far, this one included. */
  uses: number;
  /** Set when the context must not serve another call (e.g. a trace that could not be saved). */
  spoiled: boolean;
  /** The session generation it was made in: an older one holds a superseded login's cookies. */
  generation: number;
  /** The listing the page was left on by the last call, or null when it was left blank. */
  visit: Visit | null;
}

/**
 * A signed-in visit of one console listing page, kept across calls: which page, the
 * locator that shows it is ready, when its data came from the server (ms since the
 * epoch), and how many calls it has served (the one that loaded it included).
 */
export interface Visit {
  path: string;
  ready: string;
  dataAt: number;
  calls: number;
}

export interface PagePoolStats {
  /** Contexts made for calls (sign-in contexts are not counted here). */
  made: number;
  /** Calls served by a kept context. */
  reused: number;
  /** Contexts closed instead of being kept. */
  discarded: number;
  idle: number;
}

export interface PagePool {
  acquire(): Promise<PooledPage>;
  /** `ok`: the call succeeded and its page is blank or on a kept visit; anything else closes the context. */
  release(entry: PooledPage, ok: boolean): Promise<void>;
  /** The session ended: idle contexts are closed now, busy ones when they are released. */
  invalidate(): Promise<void>;
  close(): Promise<void>;
  readonly stats: PagePoolStats;
}

export interface PagePoolDeps {
  /** The shared browser pool (resolved lazily: an API-only run launches nothing). */
  browsers(): BrowserPool;
  /** A new signed-in context and its page, pop-up handlers added. */
  open(): Promise<{ context: BrowserContext; page: Page; state: StorageState }>;
  /** Idle contexts kept at most (the app's concurrency: more could never be busy at once). */
  maxIdle: number;
  /** Calls a context serves before it is closed. */
  maxUses: number;
}

export const DEFAULT_MAX_USES = 50;

export function createPagePool(deps: PagePoolDeps): PagePool {
  const idle: PooledPage[] = [];
  const stats: PagePoolStats = { made: 0, reused: 0, discarded: 0, idle: 0 };
  let generation = 0;
  let closed = false;
  let unsubscribe: (() => void) | null = null;

  const discard = async (entry: PooledPage): Promise<void> => {
    stats.discarded += 1;
    await entry.context.close().catch(() => undefined);
  };
  const drop = (entry: PooledPage): boolean => {
    const at = idle.indexOf(entry);
    if (at < 0) return false;
    idle.splice(at, 1);
    stats.idle = idle.length;
    return true;
  };
  const subscribe = (browsers: BrowserPool) => {
    // A retired browser closes only when its last context does: let ours go at once.
    unsubscribe ??= browsers.onRetire((contexts) => {
      for (const entry of idle.filter((e) => contexts.includes(e.context))) if (drop(entry)) void discard(entry);
    });
  };

  return {
    stats,
    async acquire() {
      const browsers = deps.browsers();
      subscribe(browsers);
      for (let entry = idle.pop(); entry; entry = idle.pop()) {
        stats.idle = idle.length;
        if (entry.page.isClosed() || browsers.isRetired(entry.context) || entry.generation !== generation) {
          await discard(entry);
          continue;
        }
        entry.uses += 1;
        stats.reused += 1;
        return entry;
      }
      const made = generation;
      const { context, page, state } = await deps.open();
      stats.made += 1;
      const entry: PooledPage = { context, page, state, uses: 1, spoiled: false, generation: made, visit: null };
      // A crash or a retirement closes it while idle: it must not be handed out.
      context.on('close', () => drop(entry));
      return entry;
    },
    async release(entry, ok) {
      const keep =
        ok && !closed && !entry.spoiled && entry.generation === generation && entry.uses < deps.maxUses && idle.length < deps.maxIdle && !entry.page.isClosed() && !deps.browsers().isRetired(entry.context);
      if (!keep) return discard(entry);
      idle.push(entry);
      stats.idle = idle.length;
    },
    async invalidate() {
      generation += 1;
      const old = idle.splice(0);
      stats.idle = 0;
      await Promise.all(old.map(discard));
    },
    async close() {
      closed = true;
      unsubscribe?.();
      const old = idle.splice(0);
      stats.idle = 0;
      await Promise.all(old.map(discard));
    },
  };
}
