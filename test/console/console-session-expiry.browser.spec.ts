import { test, expect } from '@playwright/test';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema, type Job, type JobRequestInput, type Task } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { deactivations, describeTask, expectAfterIsTruth, taskFor, userIn, type Mutation } from './console-truth.js';

/**
 * The console session ends in the middle of an offboarding: the driver notices the
 * redirect to sign-in, signs in again (Bill.com without MFA: the device is trusted),
 * reads the account back before repeating anything, and finishes. The person is
 * deactivated exactly once in the app's ground truth.
 */
type App = 'stitch' | 'billcom';
const apps: App[] = ['stitch', 'billcom'];

interface Truth {
  users: { id: string; email: string; role: string; status: string }[];
  mutations: Mutation[];
  logins: number;
  mfaChallenges?: number;
}
const truth = async (env: SimEnv, app: App): Promise<Truth> => (await (await fetch(env.fixtures[app]!.stateUrl)).json()) as Truth;
const inactive = { stitch: 'Deactivated', billcom: 'Inactive' };

/** Runs a job in-process with a hook on every task state change (the task object is live). */
const runWithHook = (env: SimEnv, request: JobRequestInput, onTask: (task: Task) => void): Promise<Job> =>
  runToEnd(env.runtime, actionRequestSchema.parse(request), { approvals: NO_APPROVAL_GATE, onTask });

let env: SimEnv | undefined;
test.afterEach(async () => {
  await env?.close();
  env = undefined;
});

for (const app of apps) {
  test(`${app}: every session expires between find and deactivate → changed, one deactivation, one more login`, async () => {
    test.setTimeout(180_000);
    env = await startSimEnv([app], { users: 4 });
    const sim = env.fixtures[app]!;
    let expired = false;
    const job = await runWithHook(env, { kind: 'offboard', email: 'jdoe@example.com', apps: [app] }, (task) => {
      // Synchronous and in-process: the plan has read jdoe, the change has not started.
      if (task.plan && !task.outcome && !expired) {
        expired = true;
        sim.expireSessions();
      }
    });
    expect(expired).toBe(true);
    const task = taskFor(job, app);
    expect(task.outcome, describeTask(task)).toBe('changed');

    const after = await truth(env, app);
    const jdoe = userIn(after, 'jdoe@example.com');
    expect(jdoe.status).toBe(inactive[app]);
    expect(deactivations(after, jdoe.id)).toHaveLength(1);
    expect(after.mutations).toHaveLength(1);
    expect(after.logins).toBe(2);
    expectAfterIsTruth(task, after);
    // Bill.com: the trusted-device cookie survived the expiry, so MFA was asked once.
    if (app === 'billcom') expect(after.mfaChallenges).toBe(1);
  });

  // Signed-in API calls before the expiry fires, counted from the start: the initial
  // login, the plan's find, the engine's read just before the change and the
  // deactivate page. With 7 the console drops the session on the confirm click (the
  // change is not applied); with 9, just after the change, on the read-back (the
  // change is applied and the response is lost).
  // With Stitch's console visits on, the look-up before the change and the deactivation
  // continue the plan's visit and load nothing: 4 is the confirm click, 5 the page's own
  // reload of the team right after the change.
  const cases = [
    { afterRequests: 7, lands: 'on the confirm click', visits: false, afterChange: false },
    { afterRequests: 9, lands: 'right after the change', visits: false, afterChange: true },
    ...(app === 'stitch'
      ? [
          { afterRequests: 4, lands: 'on the confirm click of a continued visit', visits: true, afterChange: false },
          { afterRequests: 5, lands: 'right after the change on a continued visit', visits: true, afterChange: true },
        ]
      : []),
  ];
  for (const { afterRequests, lands, visits, afterChange } of cases) {
    test(`${app}: session expiry mid-flow, ${lands} (sessionExpiryAfterRequests ${afterRequests}) → changed, one deactivation`, async () => {
      test.setTimeout(180_000);
      // The counts are of requests a call makes: visits off unless the case is about them.
      const options = { visitWindowMs: visits ? 60_000 : 0 };
      env = await startSimEnv([app], { users: 4, appConfig: { [app]: { options } }, simulators: { [app]: { consoleFaults: { sessionExpiryAfterRequests: afterRequests } } } });
      const sim = env.fixtures[app]!;
      // When the driver notices the expiry, stop the fault: it re-arms after every
      // expiry, and a retry needs more calls than the interrupted attempt had made.
      let current: Task | undefined;
      const noticedWhile: string[] = [];
      const runtime = env.consoleRuntime;
      const dropSession = runtime.dropSession.bind(runtime);
      runtime.dropSession = (a) => {
        noticedWhile.push(current?.status ?? 'no task');
        sim.consoleFaults.sessionExpiryAfterRequests = null;
        return dropSession(a);
      };

      const job = await runWithHook(env, { kind: 'offboard', email: 'jdoe@example.com', apps: [app] }, (t) => {
        current = t;
      });
      const task = taskFor(job, app);
      expect(task.outcome, describeTask(task)).toBe('changed');
      // The session ended during the change itself, not while planning.
      expect(noticedWhile).toEqual(['running']);
      expect(task.evidence.some((e) => e.kind === 'note' && /retry after SESSION_EXPIRED/.test(e.text))).toBe(true);
      // 9 (5 on a visit) lands after the change went out (found on the read-back); 7 (4) before it (no such note).
      if (visits) expect(task.evidence.some((e) => e.kind === 'note' && e.text.startsWith('continued the signed-in visit'))).toBe(true);
      if (afterChange) expect(task.notes.join('\n')).toMatch(/confirmed by reading the account back/);
      else expect(task.notes.join('\n')).not.toMatch(/confirmed by reading the account back/);

      const after = await truth(env, app);
      const jdoe = userIn(after, 'jdoe@example.com');
      expect(jdoe.status).toBe(inactive[app]);
      expect(deactivations(after, jdoe.id)).toHaveLength(1);
      expect(after.mutations).toHaveLength(1);
      expect(after.logins).toBe(2);
      if (app === 'billcom') expect(after.mfaChallenges).toBe(1);
      expectAfterIsTruth(task, after);
    });
  }
}
