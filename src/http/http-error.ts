import { SeatctlError } from '../errors/index.js';
import { parseRetryAfter } from './retry-after.js';

/** Maps an HTTP status to a typed error: the retry class follows from the status. */
export function errorForStatus(status: number, message: string, headers: Record<string, string | string[] | undefined>, details: Record<string, unknown>): SeatctlError {
  const retryAfterMs = parseRetryAfter(headers['retry-after']);
  const opts = { details: { status, ...details }, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  if (status === 401) return new SeatctlError('SESSION_EXPIRED', message, opts);
  if (status === 402) return new SeatctlError('NOT_ON_PLAN', message, opts);
  if (status === 403) return new SeatctlError('FORBIDDEN', message, opts);
  if (status === 404) return new SeatctlError('USER_NOT_FOUND', message, opts);
  if (status === 409) return new SeatctlError('CONFLICT', message, opts);
  if (status === 429) return new SeatctlError('RATE_LIMITED', message, opts);
  if (status === 408 || status >= 500) return new SeatctlError('UPSTREAM_UNAVAILABLE', message, opts);
  return new SeatctlError('UPSTREAM_REJECTED', message, opts);
}

/**
 * undici/network failures: all transient from our side. A timeout after the request
 * was sent carries the timeout it hit, so the retry decision can give a mutation that
 * may still be running at the app as long again before reading its state back.
 */
export function errorForNetwork(err: unknown, what: string, timeoutMs?: number): SeatctlError {
  const code = (err as { code?: string }).code ?? '';
  const timeout = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
  const message = `${what}: ${timeout ? 'timed out' : `connection failed (${code || (err as Error).message})`}`;
  return new SeatctlError(timeout ? 'TIMEOUT' : 'NETWORK', message, { cause: err, details: { networkCode: code, ...(timeout && code !== 'UND_ERR_CONNECT_TIMEOUT' && timeoutMs !== undefined ? { timeoutMs } : {}) } });
}
