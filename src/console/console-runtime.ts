import { mkdir, readFile, rm } from 'node:fs/promises';
import { writePrivateFile } from '../fs/private-files.js';
import path from 'node:path';
import type { BrowserContextOptions } from 'playwright';
import type { LoadedConfig } from '../config/load-config.js';
import type { Logger } from '../log/logger.js';
import { createBrowserPool, type BrowserPool } from '../browser/browser-pool.js';
import { resolveChromium } from '../browser/resolve-chromium.js';

export type StorageState = Exclude<BrowserContextOptions['storageState'], string | undefined>;

/**
 * Shared by every console driver in a process: the browser pool, and each app's
 * logged-in storageState (cookies, including Bill.com's trusted-device cookie). The
 * state is also kept in `<dataDir>/sessions/<app>.json` (0600), so the next run — or
 * the service after a restart — does not log in and answer MFA again.
 */
export interface ConsoleRuntimeOptions {
  dataDir: string;
  headless: boolean;
  executablePath?: string | undefined;
  slowMo?: number;
  recycleAfterContexts: number;
  recycleAboveMb?: number | undefined;
  screenshots: boolean;
  trace: boolean;
  /**
   * Record the trace's screencast too (Playwright's `tracing.start({ screenshots })`).
   * Off by default: encoding a frame at every paint cost Chromium ~25 % more CPU per
   * console task, the step screenshots already show each step, and the trace's DOM
   * snapshots still show every action. Replay turns it on (a person is debugging).
   */
  traceFilmstrip?: boolean;
  /** Persist sessions on disk (off for replay, which must not disturb the service's). */
  persistSessions?: boolean;
  /** See BrowserPoolOptions.handleSignals: false in the service, which drains on SIGTERM. */
  handleSignals?: boolean;
  /** Called after every screenshot step (headed replay's --pause waits for Enter here). */
  onStep?: (caption: string) => Promise<void>;
  log: Logger;
}

export interface ConsoleRuntime {
  pool: BrowserPool;
  options: ConsoleRuntimeOptions;
  loadSession(app: string): Promise<StorageState | null>;
  saveSession(app: string, state: StorageState): Promise<void>;
  dropSession(app: string): Promise<void>;
  /** Logins performed per app in this process (the bench checks: per worker, not per task). */
  logins: Map<string, number>;
  close(): Promise<void>;
}

/** The console runtime's options as the config's `browser` section gives them (CLI, service, soak). */
export function consoleOptionsFromConfig(config: LoadedConfig, log: Logger): ConsoleRuntimeOptions {
  return {
    dataDir: config.dataDir,
    headless: config.browser.headless,
    executablePath: config.browser.executablePath,
    recycleAfterContexts: config.browser.recycleAfterPages,
    recycleAboveMb: config.browser.recycleAboveMb,
    screenshots: config.browser.screenshots,
    trace: config.browser.trace,
    traceFilmstrip: config.browser.traceFilmstrip,
    log,
  };
}

export function createConsoleRuntime(options: ConsoleRuntimeOptions): ConsoleRuntime {
  let pool: BrowserPool | null = null;
  const sessions = new Map<string, StorageState>();
  const sessionFile = (app: string) => path.join(options.dataDir, 'sessions', `${app}.json`);
  const persist = options.persistSessions ?? true;

  return {
    options,
    logins: new Map(),
    // The browser is resolved and launched on first use: an API-only run needs none.
    get pool() {
      pool ??= createBrowserPool({
        executablePath: resolveChromium({ configured: options.executablePath }).path,
        headless: options.headless,
        ...(options.slowMo ? { slowMo: options.slowMo } : {}),
        recycleAfterContexts: options.recycleAfterContexts,
        ...(options.recycleAboveMb !== undefined ? { recycleAboveMb: options.recycleAboveMb } : {}),
        ...(options.handleSignals === false ? { handleSignals: false } : {}),
        log: options.log,
      });
      return pool;
    },
    async loadSession(app) {
      const cached = sessions.get(app);
      if (cached) return cached;
      if (!persist) return null;
      try {
        const state = JSON.parse(await readFile(sessionFile(app), 'utf8')) as StorageState;
        sessions.set(app, state);
        return state;
      } catch {
        return null;
      }
    },
    async saveSession(app, state) {
      sessions.set(app, state);
      if (!persist) return;
      await mkdir(path.dirname(sessionFile(app)), { recursive: true, mode: 0o700 });
      await writePrivateFile(sessionFile(app), JSON.stringify(state));
    },
    async dropSession(app) {
      const state = sessions.get(app);
      sessions.delete(app);
      // Keep long-lived cookies (a trusted device) and drop the expired session ones.
      if (state && persist) {
        const now = Date.now() / 1000;
        const kept = { ...state, cookies: state.cookies.filter((c) => c.expires > now + 86_400) };
        sessions.set(app, kept);
        await writePrivateFile(sessionFile(app), JSON.stringify(kept)).catch(() => undefined);
      } else if (persist) {
        await rm(sessionFile(app), { force: true });
      }
    },
    async close() {
      await pool?.close();
    },
  };
}
