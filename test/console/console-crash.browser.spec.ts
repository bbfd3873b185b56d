import { test, expect } from '@playwright/test';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { deactivations, describeTask, expectAfterIsTruth, taskFor, userIn, type Mutation } from './console-truth.js';

/**
 * Chromium dies in the middle of an offboarding (SIGKILL to the browser process).
 * BROWSER_CRASHED is retryable: the pool launches a new browser, the account is read
 * back before the change is tried again, and the person ends deactivated exactly once.
 */
type App = 'stitch' | 'billcom';
const inactive = { stitch: 'Deactivated', billcom: 'Inactive' };

let env: SimEnv | undefined;
test.afterEach(async () => {
  await env?.close();
  env = undefined;
});

for (const app of ['stitch', 'billcom'] as App[]) {
  test(`${app}: the browser is killed during the deactivation → changed, one deactivation, browser relaunched`, async () => {
    test.setTimeout(240_000);
    env = await startSimEnv([app], { users: 4 });
    const sim = env.fixtures[app]!;
    const pool = env.consoleRuntime.pool;

    // The plan (a read) is done when the task has a plan and no outcome yet; from then
    // on every page of the console is slow, so the deactivation page is still loading
    // (or, when the change continues the plan's console visit, its change request is
    // still unanswered) when the browser is killed.
    // Console drivers keep their signed-in page between calls, so "a call is under way" is
    // seen on the simulator: a request that arrived after the plan and is not answered yet.
    let requestsAtPlan = -1;
    let planned!: () => void;
    const planDone = new Promise<void>((resolve) => (planned = resolve));
    const job = runToEnd(env.runtime, actionRequestSchema.parse({ kind: 'offboard', email: 'jdoe@example.com', apps: [app] }), { approvals: NO_APPROVAL_GATE,
      onTask: (t) => {
        if (t.plan && !t.outcome && requestsAtPlan < 0) {
          requestsAtPlan = sim.faults.requests.length;
          sim.consoleFaults.pageLatencyMs = 1_500;
          planned();
        }
      },
    });

    await Promise.race([planDone, job]);
    expect(requestsAtPlan, 'the plan finished and the change is about to start').toBeGreaterThan(0);
    // A page of the apply phase is loading (slowly): kill the browser under it.
    await expect.poll(() => sim.faults.requests.slice(requestsAtPlan).some((r) => r.doneAt === null), { timeout: 60_000 }).toBe(true);
    const pid = pool.pid();
    expect(pid, 'browser pid').toBeDefined();
    const launchesBefore = pool.stats.launches;
    process.kill(pid!, 'SIGKILL');
    sim.consoleFaults.pageLatencyMs = 0;

    const done = await job;
    const task = taskFor(done, app);
    expect(task.outcome, describeTask(task)).toBe('changed');
    expect(task.evidence.some((e) => e.kind === 'note' && /retry after BROWSER_CRASHED/.test(e.text))).toBe(true);
    expect(pool.stats.crashes).toBe(1);
    expect(pool.stats.launches).toBe(launchesBefore + 1);
    expect(pool.pid()).not.toBe(pid);

    const truth = (await (await fetch(sim.stateUrl)).json()) as { users: { id: string; email: string; role: string; status: string }[]; mutations: Mutation[] };
    const jdoe = userIn(truth, 'jdoe@example.com');
    expect(jdoe.status).toBe(inactive[app]);
    expect(deactivations(truth, jdoe.id)).toHaveLength(1);
    expect(truth.mutations).toHaveLength(1);
    expectAfterIsTruth(task, truth);
  });
}
