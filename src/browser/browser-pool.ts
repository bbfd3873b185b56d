import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright';
import { SeatctlError } from '../errors/index.js';
import type { Logger } from '../log/logger.js';
import { LAUNCH_ARGS } from './resolve-chromium.js';

/**
 * One Chromium per process, shared by every console app and task. Tasks get their
 * own context (≈60 ms, isolated cookies and trace) from a saved storageState, so the
 * expensive parts — launching and logging in — happen once. The browser is replaced
 * after `recycleAfterContexts` contexts (memory stays flat on long runs) and after a
 * crash (the next task relaunches it).
 */
export interface BrowserPoolOptions {
  executablePath: string;
  headless: boolean;
  slowMo?: number;
  recycleAfterContexts: number;
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

export interface BrowserPool {
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  /** `contexts` counts every context made; `open` is how many are open now, `peakOpen` the most at once. */
  readonly stats: { launches: number; contexts: number; crashes: number; open: number; peakOpen: number };
  /** The running browser's process id, when there is one (for crash tests and kill-after-timeout). */
  pid(): number | undefined;
  close(): Promise<void>;
}

export function createBrowserPool(options: BrowserPoolOptions): BrowserPool {
  let browser: Browser | null = null;
  let launching: Promise<Browser> | null = null;
  let contextsOnThisBrowser = 0;
  const open = new Set<BrowserContext>();
  const stats = { launches: 0, contexts: 0, crashes: 0, open: 0, peakOpen: 0 };
  let closing = false;
  let browserPid: number | undefined;

  const launch = async (): Promise<Browser> => {
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
        contextsOnThisBrowser = 0;
        browserPid = await readPid(b);
        b.on('disconnected', () => {
          if (browser === b) {
            browser = null;
            browserPid = undefined;
            if (!closing) {
              stats.crashes += 1;
              options.log.warn('browser disconnected; the next task relaunches it');
            }
          }
        });
        browser = b;
        return b;
      } catch (err) {
        throw new SeatctlError('BROWSER_CRASHED', `could not launch Chromium at ${options.executablePath}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      } finally {
        launching = null;
      }
    })();
    return launching;
  };

  const retire = async (b: Browser): Promise<void> => {
    if (browser === b) browser = null;
    await closeWithTimeout(b, options.closeTimeoutMs ?? 5000, browserPid);
  };

  return {
    stats,
    pid: () => browserPid,
    async newContext(contextOptions) {
      if (closing) throw new SeatctlError('CANCELLED', 'browser pool is closing');
      let b = browser && browser.isConnected() ? browser : await launch();
      if (contextsOnThisBrowser >= options.recycleAfterContexts && open.size === 0) {
        options.log.info({ contexts: contextsOnThisBrowser }, 'recycling the browser');
        await retire(b);
        b = await launch();
      }
      let context: BrowserContext;
      try {
        context = await b.newContext(contextOptions);
      } catch (err) {
        throw new SeatctlError('BROWSER_CRASHED', `could not open a browser context: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      }
      failNewPageOnClose(context);
      contextsOnThisBrowser += 1;
      stats.contexts += 1;
      open.add(context);
      stats.open = open.size;
      stats.peakOpen = Math.max(stats.peakOpen, open.size);
      context.on('close', () => {
        open.delete(context);
        stats.open = open.size;
      });
      return context;
    },
    async close() {
      closing = true;
      const b = browser;
      browser = null;
      if (b) await closeWithTimeout(b, options.closeTimeoutMs ?? 5000, browserPid);
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
