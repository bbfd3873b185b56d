/**
 * Typed errors with a stable `code` (for scripts, reports, the HTTP API) and a retry
 * class (for the scheduler). One class with data rather than a class per code: the
 * decision logic reads the data, and new codes need no new types.
 */
export type RetryClass =
  /** transient: 5xx, resets, timeouts; retried with backoff */
  | 'retryable'
  /** credentials expired: re-login, then retry */
  | 'session'
  /** the app asked us to slow down: requeue without spending an attempt */
  | 'throttled'
  /** retrying cannot help: bad role, not found, forbidden, a business rule */
  | 'permanent';

export const ERROR_CODES = {
  USAGE: 'permanent',
  CONFIG_INVALID: 'permanent',
  SECRET_UNRESOLVED: 'permanent',
  AUTH_FAILED: 'permanent',
  SESSION_EXPIRED: 'session',
  RATE_LIMITED: 'throttled',
  UPSTREAM_UNAVAILABLE: 'retryable',
  NETWORK: 'retryable',
  TIMEOUT: 'retryable',
  /** the OIDC IdP's discovery document or signing keys could not be fetched (HTTP 503) */
  IDP_UNAVAILABLE: 'retryable',
  /** no account for the person in the app (a driver's look-up); never used for seatctl's own records */
  USER_NOT_FOUND: 'permanent',
  /** the job store's database (PostgreSQL) cannot be reached or refused the connection; retried later, never a job failure by itself */
  STORE_UNAVAILABLE: 'retryable',
  /** no job with that id in the store */
  JOB_NOT_FOUND: 'permanent',
  /** no such evidence file or report in the job's folder */
  ARTIFACT_NOT_FOUND: 'permanent',
  /** evidence is append-only: a file already stored under that name holds other bytes */
  ARTIFACT_EXISTS: 'permanent',
  ROLE_INVALID: 'permanent',
  FORBIDDEN: 'permanent',
  CONFLICT: 'permanent',
  /** the job's requester tried to approve or reject it (separation of duties; `approvals.allowSelfApproval`) */
  SELF_APPROVAL: 'permanent',
  UPSTREAM_REJECTED: 'permanent',
  UNSUPPORTED: 'permanent',
  /**
   * The app refused the operation for the customer's plan or edition (HTTP 402, or a
   * SCIM/REST answer saying the feature is not enabled). A routed app hands such an
   * operation to its next driver; on its own it is permanent like FORBIDDEN.
   */
  NOT_ON_PLAN: 'permanent',
  SAML_USER: 'permanent',
  RULE_REFUSED: 'permanent',
  READBACK_MISMATCH: 'permanent',
  /**
   * A console control that never appeared on a page that had finished loading: a
   * redesign or a wrong locator, so permanent (retrying repeats the same locator timeout).
   * A page still loading at the timeout is TIMEOUT (retryable), one showing the console's
   * own server-failure alert is UPSTREAM_UNAVAILABLE; all three name the locator in
   * `details.locator` and carry the console's alert text in `details.message`.
   */
  LOCATOR_NOT_FOUND: 'permanent',
  BROWSER_NOT_FOUND: 'permanent',
  BROWSER_CRASHED: 'retryable',
  CANCELLED: 'permanent',
  /** a data-dir path seatctl refuses to write through: a symlink, a folder others own */
  UNSAFE_PATH: 'permanent',
  /** a file seatctl stored and hashed (a review job's roster) no longer matches its hash */
  EVIDENCE_MODIFIED: 'permanent',
  /** another live process holds the store lease on this job or task (scale-out: BullMQ delivered it twice); tried again later */
  LEASE_HELD: 'retryable',
  INTERNAL: 'permanent',
} as const satisfies Record<string, RetryClass>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface SeatctlErrorOptions {
  /** Overrides the code's default class (e.g. a 409 that is really transient). */
  retryClass?: RetryClass;
  /** From Retry-After, when the app sent one. */
  retryAfterMs?: number;
  /** Structured facts for reports (field path, locator, status). Never secrets. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class SeatctlError extends Error {
  readonly code: ErrorCode;
  readonly retryClass: RetryClass;
  readonly retryAfterMs: number | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: SeatctlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SeatctlError';
    this.code = code;
    this.retryClass = options.retryClass ?? ERROR_CODES[code];
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details ?? {};
  }

  toJSON(): { code: ErrorCode; message: string; retryClass: RetryClass; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      retryClass: this.retryClass,
      ...(Object.keys(this.details).length ? { details: this.details } : {}),
    };
  }
}

/** Anything thrown becomes a SeatctlError; unknown errors are INTERNAL and permanent. */
export function toSeatctlError(err: unknown): SeatctlError {
  if (err instanceof SeatctlError) return err;
  if (err instanceof Error && err.name === 'AbortError') return new SeatctlError('CANCELLED', 'cancelled', { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new SeatctlError('INTERNAL', message, { cause: err });
}

/** Errors the user caused by what they typed (or asked for what they may not do): exit code 2, not 1. */
export function isUsageError(err: unknown): boolean {
  // A job id that names no job is the caller's mistake, like any other bad argument.
  return err instanceof SeatctlError && (err.code === 'USAGE' || err.code === 'CONFIG_INVALID' || err.code === 'SECRET_UNRESOLVED' || err.code === 'SELF_APPROVAL' || err.code === 'JOB_NOT_FOUND');
}
