import { test, expect } from '@playwright/test';
import { expectOneChangePerAccount, startScaleEnv, type ScaleEnv } from '../support/scale-env.js';
import { kill9 } from '../support/serve-process.js';

/**
 * Issue 14 items 3-5: `kill -9` of the worker whose change is on the wire. BigID applies
 * the PUT and holds the response; the worker sending it dies. BullMQ sees its lock
 * lapse and gives the step (and the job's run) to another worker, whose store lease
 * waits for the dead one's to run out; it reads the account back, finds the change
 * there and records it. Ground truth: one change per account.
 */
test.describe.configure({ timeout: 180_000 });

let env: ScaleEnv;
test.afterEach(async () => {
  await env?.close();
});

for (const store of ['sqlite', 'postgres'] as const) {
  test(`a worker killed in the middle of a mutation (${store} store): another finishes the job, each account changed once`, async () => {
    env = await startScaleEnv({ workers: 3, store, launch: { faults: { latencyMs: 20 } } });
    const people = env.people().slice(0, 4);
    const bigid = env.fx.bigid!;
    // The first PUT lands, and its answer is held far longer than the takeover needs.
    bigid.faults.enqueue({ kind: 'delay-after-commit', method: 'PUT', pathPrefix: '/api/v1/users/', delayMs: 60_000 });
    const ids: string[] = [];
    for (const email of people) ids.push((await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] })).job.id);

    await expect.poll(() => bigid.store.mutations.entries.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    const held = bigid.store.mutations.entries[0]!;
    const heldEmail = bigid.store.all().find((u) => u.id === held.userId)!.email.toLowerCase();
    const heldJob = ids[people.indexOf(heldEmail)]!;
    // The worker running that apply step: BullMQ names it.
    let owner: string | undefined;
    await expect
      .poll(async () => {
        const active = await env.queue('app.bigid').getJobs(['active']);
        owner = active.find((j) => j.data.jobId === heldJob && j.name === 'apply')?.processedBy;
        return owner;
      }, { timeout: 10_000 })
      .toBeTruthy();
    const victim = env.workers.find((w) => w.id === owner)!;
    await kill9(victim.child);

    const jobs = await Promise.all(ids.map((id) => env.waitTerminal(id, 120_000)));
    expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
    const recovered = jobs.find((j) => j.id === heldJob)!;
    expect(recovered.tasks.map((t: { outcome: string }) => t.outcome)).toEqual(['changed', 'changed']);
    // The takeover read the account back instead of sending the PUT again.
    const bigidTask = recovered.tasks.find((t: { app: string }) => t.app === 'bigid');
    expect(bigidTask.notes.join(' ')).toMatch(/confirmed by reading the account back/);

    // Not waiting for idle: the held answer stays in flight for a minute, its change already logged.
    await expectOneChangePerAccount(env.fx, people, { waitIdle: false });
    // The step that was cut short was finished by a live worker.
    const steps = await env.queue('app.bigid').getJobs(['completed'], 0, 100);
    const finisher = steps.find((j) => j.data.jobId === heldJob && j.name === 'apply')!.processedBy;
    expect(finisher).not.toBe(victim.id);
  });
}
