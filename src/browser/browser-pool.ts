import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright';
import { SeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { LAUNCH_ARGS } from './resolve-chromium.js';

/**
 * One Chromium per process, shared by every console app and task. Contexts (≈60 ms,
 * isolated cookies and trace) come from a saved storageState, so the expensive parts —
 * launching and logging in — happen once; a console driver keeps a few of them idle and
 * signed in between tasks (src/console/page-pool.ts), which `onRetire` tells to let go.
 *
 * Recycling drains instead of waiting for zero: after `recycleAfterContexts` contexts
 * (or when Chromium's processes hold more than `recycleAboveMb`), new contexts go to a
 * freshly launched browser while the old one finishes the tasks it has and closes when
 * its last context does. Under steady load there is never a moment with no context
 * open, so waiting for one would mean never recycling. A crashed browser is replaced
 * by the next task.
 */
export interface BrowserPoolOptions {
  executablePath: string;
  headless: boolean;
  slowMo?: number;
  recycleAfterContexts: number;
  /** Recycle when the browser's processes together hold more resident memory than this (Linux; checked every 10 contexts). */
  recycleAboveMb?: number;
  /** A browser that will not close in this time is killed. */
  closeTimeoutMs?: number;
  /**
   * False when the process handles SIGINT/SIGTERM/SIGHUP itself (`seatctl serve`
   * drains running console tasks on SIGTERM): Playwright must not close the browser
   * under them. Default true, so a one-shot command interrupted with Ctrl-C leaves no
   * Chromium behind.
   */
  handleSignals?: boolean;
  log: Logger;
}

export interface BrowserPoolStats {
  launches: number;
  /** Every context made. */
  contexts: number;
  crashes: number;
  /** Contexts open now, on any browser; `peakOpen` the most at once. */
  open: number;
  peakOpen: number;
  /** Browsers retired by the recycle rule (by count or by memory). */
  recycles: number;
  /** Retired browsers still finishing their open contexts. */
  draining: number;
}

export interface BrowserPool {
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /**
   * True when this context's browser takes no new work (retired by the recycle rule,
   * disconnected) or the context is not the pool's: a caller that keeps contexts idle
   * closes such a one instead of keeping it, or the retired browser never drains.
   */
  isRetired(context: BrowserContext): boolean;
  /**
   * Called with a browser's open contexts when it is retired: whoever keeps some of
   * them idle (a console driver's page pool) must close those, or the browser waits
   * for them for ever. Returns the unsubscribe function.
   */
  onRetire(listener: (contexts: readonly BrowserContext[]) => void): () => void;
  readonly stats: BrowserPoolStats;
  /** The running browser's process id, when there is one (for crash tests and kill-after-timeout). */
  pid(): number | undefined;
  /** Resident memory of the current browser's processes, in MB (Linux only; undefined elsewhere or before launch). */
  rssMb(): Promise<number | undefined>;
  close(): Promise<void>;
}

/** One launched Chromium and the contexts it serves. */
interface Launched {
  browser: Browser;
  pid: number | undefined;
  served: number;
  open: Set<BrowserContext>;
  retired: boolean;
}

const MEMORY_CHECK_EVERY = 10;

export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  let current: Launched | null = null;
  let launching: Promise<Launched> | null = null;
  const draining = new Set<Launched>();
  const stats: BrowserPoolStats = { launches: 0, contexts: 0, crashes: 0, open: 0, peakOpen: 0, recycles: 0, draining: 0 };
  let closing = false;
  const owners = new WeakMap<BrowserContext, Launched>();
  const retireListeners = new Set<(contexts: readonly BrowserContext[]) => void>();
  const closeMs = options.closeTimeoutMs ?? 5000;

  const countOpen = () => {
    stats.open = (current?.open.size ?? 0) + [...draining].reduce((n, l) => n + l.open.size, 0);
    stats.peakOpen = Math.max(stats.peakOpen, stats.open);
    stats.draining = draining.size;
  };

  const launch = async (): Promise<Launched> => {
    launching ??= (async () => {
      try {
        // launchServer would expose the pid too, but launch + CDP is the lighter path;
        // the pid comes from Chromium itself.
        const b = await chromium.launch({
          executablePath: options.executablePath,
          headless: options.headless,
          args: LAUNCH_ARGS,
          ...(options.slowMo ? { slowMo: options.slowMo } : {}),
          ...(options.handleSignals === false ? { handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false } : {}),
        });
        stats.launches += 1;
        const launched: Launched = { browser: b, pid: await readPid(b), served: 0, open: new Set(), retired: false };
        b.on('disconnected', () => {
          draining.delete(launched);
          if (current === launched) {
            current = null;
            if (!closing) {
              stats.crashes += 1;
              options.log.warn('browser disconnected; the next task relaunches it');
            }
          }
          countOpen();
        });
        current = launched;
        return launched;
      } catch (err) {
        throw new SeatctlError('BROWSER_CRASHED', `could not launch Chromium at ${options.executablePath}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      } finally {
        launching = null;
      }
    })();
    return launching;
  };

  /** The old browser takes no new contexts; it closes when its last open one does. */
  const retire = (l: Launched, reason: string): void => {
    if (current === l) current = null;
    l.retired = true;
    stats.recycles += 1;
    options.log.info({ contexts: l.served, open: l.open.size, reason }, 'recycling the browser: new contexts go to a fresh one');
    if (l.open.size === 0) void closeWithTimeout(l.browser, closeMs, l.pid);
    else draining.add(l);
    countOpen();
    // After the draining set knows it: contexts closed by a listener then close the browser.
    const open = [...l.open];
    if (open.length) for (const listener of retireListeners) listener(open);
  };

  const overMemory = async (l: Launched): Promise<boolean> => {
    if (options.recycleAboveMb === undefined || l.served === 0 || l.served % MEMORY_CHECK_EVERY !== 0) return false;
    const mb = await processTreeRssMb(l.browser);
    return mb !== undefined && mb > options.recycleAboveMb;
  };

  return {
    stats,
    pid: () => current?.pid,
    rssMb: async () => (current ? processTreeRssMb(current.browser) : undefined),
    isRetired(context) {
      const owner = owners.get(context);
      return !owner || owner.retired || closing || !owner.browser.isConnected();
    },
    onRetire(listener) {
      retireListeners.add(listener);
      return () => retireListeners.delete(listener);
    },
    async newContext(contextOptions) {
      if (closing) throw new SeatctlError('CANCELLED', 'browser pool is closing');
      let l = current && current.browser.isConnected() ? current : await launch();
      if (l.served >= options.recycleAfterContexts) {
        retire(l, `served ${l.served} contexts`);
        l = await launch();
      } else if (await overMemory(l)) {
        retire(l, `holds more than ${options.recycleAboveMb} MB`);
        l = await launch();
      }
      let context: BrowserContext;
      try {
        context = await l.browser.newContext(contextOptions);
      } catch (err) {
        throw new SeatctlError('BROWSER_CRASHED', `could not open a browser context: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      }
      failNewPageOnClose(context);
      l.served += 1;
      stats.contexts += 1;
      l.open.add(context);
      owners.set(context, l);
      countOpen();
      const owner = l;
      context.on('close', () => {
        owner.open.delete(context);
        if (owner.retired && owner.open.size === 0 && draining.delete(owner)) void closeWithTimeout(owner.browser, closeMs, owner.pid);
        countOpen();
      });
      return context;
    },
    async close() {
      closing = true;
      const all = [...(current ? [current] : []), ...draining];
      current = null;
      draining.clear();
      await Promise.all(all.map((l) => closeWithTimeout(l.browser, closeMs, l.pid)));
    },
  };
}

/**
 * A `newPage()` still pending when Chromium dies can stay pending forever (seen with
 * tracing on), which would hang the task. It settles with the context's close instead,
 * as the "closed" error every other call gets, so the crash is retried like any other.
 */
function failNewPageOnClose(context: BrowserContext): void {
  const newPage = context.newPage.bind(context);
  context.newPage = () =>
    new Promise<Page>((resolve, reject) => {
      const onClose = () => reject(new Error('browserContext.newPage: Target page, context or browser has been closed'));
      context.once('close', onClose);
      newPage()
        .then(resolve, reject)
        .finally(() => context.off('close', onClose));
    });
}

/**
 * Resident memory of all of a browser's processes (browser, renderers, GPU, utility),
 * from Chromium's own process list and Linux's /proc. Undefined where either is missing.
 */
async function processTreeRssMb(b: Browser): Promise<number | undefined> {
  try {
    const session = await b.newBrowserCDPSession();
    const info = (await session.send('SystemInfo.getProcessInfo')) as { processInfo?: { id: number }[] };
    await session.detach();
    let kb = 0;
    for (const p of info.processInfo ?? []) {
      const status = await readFile(`/proc/${p.id}/status`, 'utf8').catch(() => '');
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    }
    return kb > 0 ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function readPid(b: Browser): Promise<number | undefined> {
  try {
    const session = await b.newBrowserCDPSession();
    const info = (await session.send('SystemInfo.getProcessInfo')) as { processInfo?: { type: string; id: number }[] };
    await session.detach();
    return info.processInfo?.find((p) => p.type === 'browser')?.id;
  } catch {
    return undefined;
  }
}

async function closeWithTimeout(b: Browser, ms: number, pid: number | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([b.close().then(() => 'closed' as const, () => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout' && pid) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
