import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { launchFixtures } from '../../fixtures/launch.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { createJobEngine } from '../../src/engine/job-engine.js';
import { NO_APPROVAL_GATE } from '../../src/engine/run-to-end.js';
import { bullmqSettings, openBullmqQueues } from '../../src/queue/bullmq/bullmq-queues.js';
import { bullmqDispatcher } from '../../src/queue/bullmq/bullmq-dispatcher.js';
import { stepQueueName } from '../../src/queue/bullmq/names.js';
import { openJobStore } from '../../src/store/index.js';
import { createTestEngine } from '../support/test-engine.js';
import { REDIS_URL, deleteKeys } from '../support/scale-env.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * Issue 14 item 3: console apps' steps run in BullMQ sandboxed child processes (so
 * Playwright's CPU work cannot stall the worker's lock renewals). The built processor
 * module (dist/src/composition/step-sandbox.js) opens the worker's config and store in
 * the child and runs the step there; driven here on BigID, since the processor does not
 * care which kind of driver an app has, with the engine in this process dispatching.
 */
const SANDBOX = fileURLToPath(new URL('../../dist/src/composition/step-sandbox.js', import.meta.url));

test('a step runs in the sandboxed child processor and the engine sees its result from the store', async () => {
  test.setTimeout(90_000);
  const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-sandbox-'));
  const prefix = `seatctl-test-${randomBytes(5).toString('hex')}`;
  process.env.SEATCTL_TEST_REDIS_URL = REDIS_URL;
  const fx = await launchFixtures({ dir, apps: ['bigid'], config: { queue: { kind: 'bullmq', redis: 'env:SEATCTL_TEST_REDIS_URL', prefix, lockDurationMs: 4000, stalledIntervalMs: 2000 } } });
  const config = await loadConfigFile(fx.configPath, builtInDrivers());
  const { runtime } = createTestEngine(config);
  const store = await openJobStore(config);
  if (config.queue.kind !== 'bullmq') throw new Error('config');
  const settings = bullmqSettings(config.queue, REDIS_URL);
  const queues = await openBullmqQueues(settings, { bigid: { concurrency: 2 } }, runtime.log);
  // What `seatctl worker` sets for its children.
  process.env.SEATCTL_STEP_CONFIG = fx.configPath;
  const worker = new Worker(stepQueueName('bigid'), SANDBOX, { connection: settings.connection, prefix, useWorkerThreads: false, name: 'sandbox-test', lockDuration: 4000 });
  try {
    const engine = createJobEngine({ runtime, store, approvals: NO_APPROVAL_GATE, dispatcher: bullmqDispatcher(queues, store) });
    const { stored } = await engine.submit({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], mode: 'deactivate', dryRun: false, requireApproval: false });
    const done = await engine.process(stored.job.id);
    expect(done.job.status).toBe('succeeded');
    expect(done.job.tasks[0]!.outcome).toBe('changed');
    const jdoe = fx.bigid!.store.all().find((u) => u.email === 'jdoe@example.com')!;
    expect(jdoe.isEnabled).toBe(false);
    expect(fx.bigid!.store.mutations.forUser(jdoe.id)).toHaveLength(1);
    const steps = await queues.stepQueue('bigid').getJobs(['completed']);
    expect(steps.map((j) => j.name).sort()).toEqual(['apply', 'plan']);
    expect(new Set(steps.map((j) => j.processedBy))).toEqual(new Set(['sandbox-test']));
  } finally {
    await worker.close();
    await queues.close();
    await store.close();
    await runtime.close();
    await fx.close();
    await deleteKeys(prefix);
  }
});
