import type { Logger } from '../log/logger.js';
import { SeatctlError } from '../errors/index.js';
import type { ConsoleRuntime, StorageState } from './console-runtime.js';

/**
 * One app's console session: logs in once (in its own untraced context, so typed
 * credentials and OTP codes never enter a task's trace), shares the resulting
 * storageState with every task, and logs in again when a task finds the session gone.
 * Concurrent tasks that notice at once share one login.
 */
export interface SessionKeeper {
  /** A storageState that is believed to be signed in. */
  current(): Promise<StorageState>;
  /** The session is gone: the next `current()` logs in again. */
  invalidate(): Promise<void>;
  readonly logins: number;
}

export function createSessionKeeper(deps: { app: string; runtime: ConsoleRuntime; log: Logger; performLogin(base: StorageState | null): Promise<StorageState> }): SessionKeeper {
  let valid: boolean | null = null;
  let inFlight: Promise<StorageState> | null = null;
  let logins = 0;

  const login = (): Promise<StorageState> => {
    inFlight ??= (async () => {
      try {
        // Keep long-lived cookies (a trusted device) so MFA is not asked again.
        const base = await deps.runtime.loadSession(deps.app);
        const state = await deps.performLogin(base);
        logins += 1;
        deps.runtime.logins.set(deps.app, (deps.runtime.logins.get(deps.app) ?? 0) + 1);
        await deps.runtime.saveSession(deps.app, state);
        valid = true;
        return state;
      } catch (err) {
        if (err instanceof SeatctlError) throw err;
        throw new SeatctlError('AUTH_FAILED', `${deps.app}: console login failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  return {
    get logins() {
      return logins;
    },
    async current() {
      if (inFlight) return inFlight;
      if (valid !== false) {
        const saved = await deps.runtime.loadSession(deps.app);
        // A state saved by an earlier run is trusted until the console says otherwise.
        if (saved && valid === null) valid = true;
        if (saved && valid) return saved;
      }
      return login();
    },
    async invalidate() {
      if (valid === false) return;
      valid = false;
      deps.log.info({ app: deps.app }, 'console session ended; will log in again');
      await deps.runtime.dropSession(deps.app);
    },
  };
}
