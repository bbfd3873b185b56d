import { errors as playwrightErrors } from 'playwright';
import { SeatctlError, toSeatctlError } from '../errors/index.js';

const CLOSED = /Target page, context or browser has been closed|Browser has been closed|browser has disconnected|Target closed|Page crashed|context or browser has been closed/i;

/**
 * Playwright failures become typed errors: a closed or crashed browser is retryable
 * (the pool relaunches), a session that sent us to sign-in is a session error, and a
 * plain timeout is retryable; locators that do not match are reported by `find`
 * itself with the locator's name, and are permanent (a redesign, not a hiccup).
 */
export function mapConsoleError(err: unknown, app: string, onLoginPage: boolean): SeatctlError {
  if (err instanceof SeatctlError) {
    if (onLoginPage && err.code === 'LOCATOR_NOT_FOUND') return sessionExpired(app, err);
    return err;
  }
  if (onLoginPage) return sessionExpired(app, err);
  const message = err instanceof Error ? err.message : String(err);
  if (CLOSED.test(message)) return new SeatctlError('BROWSER_CRASHED', `${app}: the browser closed or crashed mid-task`, { cause: err });
  if (err instanceof playwrightErrors.TimeoutError) return new SeatctlError('TIMEOUT', `${app}: ${message.split('\n')[0]}`, { cause: err });
  return toSeatctlError(err);
}

function sessionExpired(app: string, cause: unknown): SeatctlError {
  return new SeatctlError('SESSION_EXPIRED', `${app}: the console session ended (redirected to sign-in)`, { cause });
}
