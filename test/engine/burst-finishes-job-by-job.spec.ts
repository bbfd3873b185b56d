import { test, expect } from '@playwright/test';
import { launchFixtures } from '../../fixtures/launch.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import { createRuntime } from '../../src/engine/runtime.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { actionRequestSchema } from '../../src/model/index.js';
import { schedulerForApps, type Scheduler } from '../../src/queue/scheduler.js';
import { scanTempDir } from '../support/scan-root.js';

/**
 * Issue 16, "apply before plan": a burst of offboardings on one app finishes job by
 * job. Ground truth is the order in which the app's queue actually started each call
 * (recorded when the call leaves the queue, not when it is asked for), and the
 * simulator's own record of each account being changed once.
 */
test('a burst of 10 offboardings on one app: the first jobs change their accounts before the last jobs are even read', async () => {
  const dir = scanTempDir('seatctl-burst-');
  const fixtures = await launchFixtures({ dir, apps: ['bigid'], users: 30, seed: 16, appConfig: { bigid: { concurrency: 1 } },
    // Each call takes a while, as a real vendor's does: without it ten local reads could all
    // be over before a job got from its plan to its change on a busy machine (seen in CI), and
    // no queue order would show.
    faults: { latencyMs: 200 },
  });
  try {
    const config = await loadConfigFile(fixtures.configPath, builtInDrivers());
    const redactor = createRedactor();
    const log = createLogger({ redactor, level: 'fatal', destination: { write: () => undefined } });
    const started: string[] = [];
    const inner = schedulerForApps(config.apps, log);
    const recording: Scheduler = { ...inner, run: (op) => inner.run({ ...op, run: (attempt) => (started.push(op.label), op.run(attempt)) }) };
    const runtime = createRuntime({ config, log, redactor, scheduler: recording });
    const people = fixtures.bigid!.store.all().filter((u) => u.isEnabled && u.origin !== 'saml' && /\.\d{5}@/.test(u.email)).slice(0, 10).map((u) => u.email.toLowerCase());
    expect(people).toHaveLength(10);

    const jobs = await Promise.all(people.map((email) => runToEnd(runtime, actionRequestSchema.parse({ kind: 'offboard', email, apps: ['bigid'] }), { approvals: NO_APPROVAL_GATE })));
    await runtime.close();
    expect(jobs.map((j) => j.status)).toEqual(people.map(() => 'succeeded'));

    const reads = started.filter((l) => l.startsWith('find ')).length;
    const firstChange = started.findIndex((l) => l.startsWith('deactivate '));
    const lastRead = started.map((l) => l.startsWith('find ')).lastIndexOf(true);
    expect(reads).toBeGreaterThanOrEqual(10);
    // First come, first served would start all ten reads before any change.
    expect(firstChange).toBeGreaterThanOrEqual(0);
    expect(firstChange).toBeLessThan(lastRead);
    const changesBeforeLastRead = started.slice(0, lastRead).filter((l) => l.startsWith('deactivate ')).length;
    expect(changesBeforeLastRead).toBeGreaterThanOrEqual(5);

    const ids = new Map(fixtures.bigid!.store.all().map((u) => [u.email.toLowerCase(), u.id]));
    for (const email of people) expect(fixtures.bigid!.store.mutations.forUser(ids.get(email)!), email).toHaveLength(1);
  } finally {
    await fixtures.close();
  }
});
