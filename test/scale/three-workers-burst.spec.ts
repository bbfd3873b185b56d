import { test, expect } from '@playwright/test';
import { expectOneChangePerAccount, startScaleEnv, type ScaleEnv } from '../support/scale-env.js';

/**
 * Issue 14 items 3-5: three `seatctl worker` processes share BullMQ queues on Redis and
 * one SQLite store. A burst of offboardings all succeed, each account is changed once
 * (the simulators' mutation logs), and no app ever sees more requests at once than its
 * configured concurrency, although each worker alone would allow that many.
 */
test.describe.configure({ mode: 'serial', timeout: 180_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

for (const store of ['sqlite', 'postgres'] as const) {
  test(`a burst of 20 offboardings over three workers (${store} store): all succeed, one change per account, per-app caps hold across workers`, async () => {
    env = await startScaleEnv({
      workers: 3,
      store,
      launch: {
        // Latency keeps calls overlapping, so the caps are what stops more from running at once.
        faults: { latencyMs: 40 },
        appConfig: { bigid: { concurrency: 2 }, sigma: { concurrency: 3 } },
      },
    });
    const people = env.people().slice(0, 20);
    expect(people).toHaveLength(20);
    const ids: string[] = [];
    for (const email of people) {
      const created = await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] });
      ids.push(created.job.id);
    }
    const jobs = await Promise.all(ids.map((id) => env.waitTerminal(id, 120_000)));
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
    expect(jobs.flatMap((j) => j.tasks.map((t: { outcome: string }) => t.outcome))).toEqual(ids.flatMap(() => ['changed', 'changed']));

    // Ground truth: exactly one change per account in each app.
    await expectOneChangePerAccount(env.fx, people);
    expect(env.fx.bigid!.store.mutations.entries).toHaveLength(20);
    expect(env.fx.sigma!.store.mutations.entries).toHaveLength(20);
    // The work was really spread: every worker took steps (BullMQ records who processed each).
    const steps = [...(await env.queue('app.bigid').getJobs(['completed'], 0, 500)), ...(await env.queue('app.sigma').getJobs(['completed'], 0, 500))];
    expect(steps).toHaveLength(80);
    expect(new Set(steps.map((j) => j.processedBy))).toEqual(new Set(['w1', 'w2', 'w3']));
    // Applies are queued ahead of plan reads.
    expect(new Set(steps.map((j) => `${j.name}:${j.opts.priority}`))).toEqual(new Set(['plan:10', 'apply:1']));
    // Caps across all workers, as the simulators saw them.
    expect(env.fx.bigid!.maxInFlight()).toBeLessThanOrEqual(2);
    expect(env.fx.sigma!.maxInFlight()).toBeLessThanOrEqual(3);
    // And the cap was reached (the test could fail): the load was enough to need it.
    expect(env.fx.bigid!.maxInFlight()).toBe(2);
  });
}
