import type { RetryPolicy } from '../config/schema.js';
import type { SeatctlError } from '../errors/index.js';

/**
 * The one place that decides whether a failed call is tried again, and when.
 * Throttling (429) does not spend an attempt — the app told us when to come back —
 * but is capped so a storm still ends.
 */
export type RetryDecision =
  | { action: 'retry'; delayMs: number; spendsAttempt: boolean; reason: string }
  | { action: 'fail'; reason: string };

export interface RetryState {
  /** Attempts spent so far, including the one that just failed. */
  attempt: number;
  throttleWaits: number;
  /** The failed call was a mutation (its retry starts with a read-back). */
  mutation?: boolean;
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": never zero (a reset storm should not hammer), never above the cap.
  return Math.round(cap / 2 + random() * (cap / 2));
}

export function decideRetry(error: SeatctlError, state: RetryState, policy: RetryPolicy, random: () => number = Math.random): RetryDecision {
  switch (error.retryClass) {
    case 'permanent':
      return { action: 'fail', reason: `${error.code} is permanent` };
    case 'throttled': {
      if (state.throttleWaits >= policy.maxThrottleWaits) return { action: 'fail', reason: `throttled ${state.throttleWaits} times` };
      const delayMs = error.retryAfterMs ?? Math.min(policy.maxDelayMs, policy.throttleDelayMs * 2 ** Math.min(state.throttleWaits, 6) * (0.5 + random() / 2));
      return { action: 'retry', delayMs: Math.round(delayMs), spendsAttempt: false, reason: error.retryAfterMs === undefined ? 'throttled (no Retry-After)' : 'throttled (Retry-After)' };
    }
    case 'session':
      if (state.attempt >= policy.attempts) return { action: 'fail', reason: 'session kept expiring' };
      return { action: 'retry', delayMs: 0, spendsAttempt: true, reason: 'session expired: re-login' };
    case 'retryable': {
      if (state.attempt >= policy.attempts) return { action: 'fail', reason: `gave up after ${state.attempt} attempts` };
      // A mutation that timed out may still be running at the app, which can apply it
      // after we gave up: read back too early and the change is sent twice. Give it as
      // long again as the timeout it hit before looking.
      const settleMs = state.mutation && error.code === 'TIMEOUT' && typeof error.details.timeoutMs === 'number' ? error.details.timeoutMs : 0;
      const delayMs = Math.max(backoffDelay(state.attempt, policy, random), error.retryAfterMs ?? 0, settleMs);
      // The error's own message, not just its code: "retry after TIMEOUT: TIMEOUT" told nobody which wait or page failed.
      return { action: 'retry', delayMs, spendsAttempt: true, reason: settleMs ? `${error.message} (waiting ${settleMs} ms before reading back)` : error.message };
    }
  }
}
