import { test, expect } from '@playwright/test';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';

/**
 * Found by the soak (test/soak/): BigID's update is GET, merge, PUT, then a read-back
 * GET. A 429 on that read-back, after the PUT went through, was taken for "the app
 * refused before acting", so the whole call ran again and sent a second PUT. Any
 * failure of a mutation call now starts the next try with a read-back.
 */
let env: ApiEnv;
test.beforeEach(async () => {
  env = await startApiEnv();
});
test.afterEach(async () => env.close());

test('a 429 on the read-back after a landed PUT does not send the PUT again', async () => {
  // The first GET /users/:id (the pre-PUT read) passes; the second (the read-back) is throttled.
  env.bigid.faults.enqueue({ kind: 'delay', delayMs: 0, method: 'GET', pathPrefix: '/api/v1/users/' });
  env.bigid.faults.enqueue({ kind: '429', method: 'GET', pathPrefix: '/api/v1/users/', retryAfterSeconds: 0 });
  const job = await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { bigid: 'Admin' } });
  expect(job.tasks[0]!.outcome).toBe('changed');
  const truth = await groundTruth<{ users: { email: string; role: string }[]; mutations: { method: string }[] }>(env.bigid.stateUrl);
  expect(truth.mutations.filter((m) => m.method === 'PUT')).toHaveLength(1);
  expect(truth.users.find((u) => u.email === 'asmith@example.com')?.role).toBe('Admin');
});
