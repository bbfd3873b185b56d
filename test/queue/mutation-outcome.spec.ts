import { test, expect } from '@playwright/test';
import { retryPolicySchema } from '../../src/config/schema.js';
import { SeatctlError } from '../../src/errors/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { decideRetry } from '../../src/queue/retry-decision.js';
import { createScheduler } from '../../src/queue/scheduler.js';

/**
 * Two rules found by the fault matrix (test/faults/): a mutation that timed out may
 * still be applied by the app, so its read-back waits one more timeout; and a change
 * is never reported failed while it is in place (a refusal can answer a repeat).
 */
const policy = retryPolicySchema.parse({ attempts: 3, baseDelayMs: 10, maxDelayMs: 100, maxThrottleWaits: 2, throttleDelayMs: 10 });
const timeout = () => new SeatctlError('TIMEOUT', 'timed out', { details: { timeoutMs: 3000 } });

test('a timed-out mutation waits as long again as its timeout before the read-back; a read does not', () => {
  expect(decideRetry(timeout(), { attempt: 1, throttleWaits: 0, mutation: true }, policy, () => 1)).toMatchObject({ action: 'retry', delayMs: 3000 });
  expect(decideRetry(timeout(), { attempt: 1, throttleWaits: 0, mutation: false }, policy, () => 1)).toMatchObject({ action: 'retry', delayMs: 10 });
  expect(decideRetry(new SeatctlError('TIMEOUT', 'console'), { attempt: 1, throttleWaits: 0, mutation: true }, policy, () => 1)).toMatchObject({ delayMs: 10 });
});

function scheduler() {
  const log = createLogger({ redactor: createRedactor(), level: 'fatal', destination: { write: () => undefined } });
  return createScheduler({ apps: { app: { concurrency: 1 } }, log, sleep: async () => undefined });
}

test('a refused mutation whose change is in place is reported done, confirmed by the read-back', async () => {
  const s = scheduler();
  let verified = 0;
  const result = await s.run({
    app: 'app',
    label: 'deactivate',
    kind: 'mutation',
    policy,
    run: async () => {
      throw new SeatctlError('RULE_REFUSED', 'This user is already inactive');
    },
    verify: async () => {
      verified += 1;
      return 'inactive';
    },
  });
  expect(result).toEqual({ value: 'inactive', attempts: 1, recoveredByReadBack: true });
  expect(verified).toBe(1);
});

test('a refusal that the read-back does not explain stays a failure; other permanent errors are not read back', async () => {
  const s = scheduler();
  let verified = 0;
  const op = (code: 'RULE_REFUSED' | 'ROLE_INVALID') => ({
    app: 'app',
    label: 'deactivate',
    kind: 'mutation' as const,
    policy,
    run: async (): Promise<string> => {
      throw new SeatctlError(code, 'no');
    },
    verify: async () => {
      verified += 1;
      return undefined;
    },
  });
  await expect(s.run(op('RULE_REFUSED'))).rejects.toMatchObject({ code: 'RULE_REFUSED' });
  expect(verified).toBe(1);
  await expect(s.run(op('ROLE_INVALID'))).rejects.toMatchObject({ code: 'ROLE_INVALID' });
  expect(verified).toBe(1);
});
