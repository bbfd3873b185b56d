import { test, expect } from '@playwright/test';
import { backoffDelay, decideRetry } from '../../src/queue/retry-decision.js';
import { retryPolicySchema } from '../../src/config/schema.js';
import { SeatctlError } from '../../src/errors/index.js';

const policy = retryPolicySchema.parse({ attempts: 3, baseDelayMs: 100, maxDelayMs: 1000, maxThrottleWaits: 2, throttleDelayMs: 500 });

test('permanent errors are never retried', () => {
  const d = decideRetry(new SeatctlError('ROLE_INVALID', 'bad role'), { attempt: 1, throttleWaits: 0 }, policy);
  expect(d.action).toBe('fail');
});

test('retryable errors back off exponentially within the cap, and stop after the attempts', () => {
  const err = new SeatctlError('UPSTREAM_UNAVAILABLE', '503');
  const first = decideRetry(err, { attempt: 1, throttleWaits: 0 }, policy, () => 1);
  const second = decideRetry(err, { attempt: 2, throttleWaits: 0 }, policy, () => 1);
  expect(first).toMatchObject({ action: 'retry', delayMs: 100, spendsAttempt: true });
  expect(second).toMatchObject({ action: 'retry', delayMs: 200 });
  expect(decideRetry(err, { attempt: 3, throttleWaits: 0 }, policy).action).toBe('fail');
  expect(backoffDelay(20, policy, () => 1)).toBe(1000);
  // Equal jitter: at least half the step, never zero.
  expect(backoffDelay(1, policy, () => 0)).toBe(50);
});

test('a 5xx with Retry-After waits at least that long', () => {
  const err = new SeatctlError('UPSTREAM_UNAVAILABLE', '503', { retryAfterMs: 5000 });
  expect(decideRetry(err, { attempt: 1, throttleWaits: 0 }, policy, () => 0)).toMatchObject({ action: 'retry', delayMs: 5000 });
});

test('throttling honours Retry-After, spends no attempt, and is capped', () => {
  const withHeader = new SeatctlError('RATE_LIMITED', '429', { retryAfterMs: 3000 });
  expect(decideRetry(withHeader, { attempt: 3, throttleWaits: 0 }, policy)).toMatchObject({ action: 'retry', delayMs: 3000, spendsAttempt: false });
  const without = new SeatctlError('RATE_LIMITED', '429');
  const d = decideRetry(without, { attempt: 0, throttleWaits: 0 }, policy, () => 1);
  expect(d).toMatchObject({ action: 'retry', delayMs: 500, spendsAttempt: false });
  expect(decideRetry(without, { attempt: 0, throttleWaits: 2 }, policy).action).toBe('fail');
});

test('an expired session is retried at once (the driver logs in again)', () => {
  const d = decideRetry(new SeatctlError('SESSION_EXPIRED', '401'), { attempt: 1, throttleWaits: 0 }, policy);
  expect(d).toMatchObject({ action: 'retry', delayMs: 0 });
});
