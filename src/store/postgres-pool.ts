import pg from 'pg';
import { SeatctlError } from '../errors/index.js';
import { stripUserinfo } from '../log/url-userinfo.js';
import { quoteSchema } from './postgres-schema.js';

/**
 * The connection side of the PostgreSQL store: one pg.Pool per store, every connection
 * pointed at the store's schema, transactions, and errors that never carry the URL.
 */
export type Queryable = Pick<pg.PoolClient, 'query'>;

/** How long opening a connection may take before the store reports STORE_UNAVAILABLE (pg's default waits forever). */
export const CONNECT_TIMEOUT_MS = 10_000;

export function createStorePool(url: string, schema: string, max = 10): pg.Pool {
  const quoted = quoteSchema(schema);
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // search_path per connection rather than `options` in the pool config: a connection
    // string's own `options` parameter would silently override the latter. pg-pool awaits
    // this hook before it hands the connection out, so nothing runs before it.
    onConnect: async (client) => {
      await client.query(`SET search_path TO ${quoted}`);
    },
  });
  // An idle connection dropped by the server (restart, failover) is discarded by the pool;
  // without a listener Node would treat the event as an uncaught error and exit. The next
  // query opens a new connection or reports STORE_UNAVAILABLE itself.
  pool.on('error', () => undefined);
  return pool;
}

/** Node socket errors and pg's own connection failures (which carry no code). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const PG_CONNECTION_MESSAGES = [/^Connection terminated/i, /timeout exceeded when trying to connect/i, /^Client has encountered a connection error/i, /Connection terminated unexpectedly/i];

/**
 * SQLSTATEs that mean "the database is not there for us" rather than "this statement is
 * wrong": connection exceptions (08), bad credentials (28), no such database (3D000),
 * server shutting down or starting (57P01-57P03), too many connections (53300).
 */
function isUnavailable(code: string | undefined, message: string): boolean {
  if (code !== undefined) {
    if (NETWORK_CODES.has(code)) return true;
    if (/^(08|28)/.test(code) || ['3D000', '57P01', '57P02', '57P03', '53300'].includes(code)) return true;
  }
  return PG_CONNECTION_MESSAGES.some((re) => re.test(message));
}

/**
 * Removes what could be a credential from a driver message: the URL as given, its
 * password (a server may echo a parameter back), and any `scheme://user:pass@`.
 */
export function scrubbed(message: string, url: string): string {
  let text = message.split(url).join('[store url]');
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = '';
  }
  if (password) text = text.split(password).join('[redacted]');
  return stripUserinfo(text).replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1[userinfo removed]@');
}

/**
 * Every error leaving the PostgreSQL store: SeatctlErrors pass through; a database that
 * cannot be reached becomes STORE_UNAVAILABLE (retryable); anything else is INTERNAL.
 * The driver's error is not kept as `cause` (a logger would print it whole); its code and
 * scrubbed message are enough to act on.
 */
export function storeError(err: unknown, url: string): SeatctlError {
  if (err instanceof SeatctlError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const message = scrubbed(err instanceof Error ? err.message : String(err), url);
  // Node's AggregateError (every address of a host refused) has a code and no message.
  const reason = [code, message].filter(Boolean).join(': ') || 'no reason given';
  const details = code ? { pgCode: code } : {};
  if (isUnavailable(code, message)) return new SeatctlError('STORE_UNAVAILABLE', `job store: PostgreSQL is unavailable (${reason})`, { details });
  return new SeatctlError('INTERNAL', `job store: PostgreSQL error (${reason})`, { details });
}
