import { expect, type TestInfo } from '@playwright/test';
import type { SimulatorOptionsByApp } from '../../fixtures/launch.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema, type JobRequestInput, type Task } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { judge, recordRow, type FaultRow, type Observed } from './fault-row.js';
import {
  API_TIMEOUT_MS,
  CONSOLE_DRIVERS,
  RELAXED_LOCATOR_TIMEOUT_MS,
  NEW_ROLE,
  RETRY,
  SIZES,
  SUBJECT,
  TARGETS,
  describeExpected,
  type Action,
  type ConsoleHarness,
  type DriverName,
  type FaultCase,
  type FaultHarness,
  type JobSignals,
  type Mode,
} from './matrix.js';

/**
 * Runs one (fault × driver × action) of the matrix: a fresh simulator of that driver
 * and a fresh engine, the fault injected as the matrix says, one job through the real
 * job engine (runToEnd), then the verdict from the task and the simulator's ground truth.
 * The row is recorded before the assertion, so a failing combination is in the table too.
 */
interface SubjectState {
  id: string;
  active: boolean;
  role: string | null;
}
interface Truth {
  subject: SubjectState;
  mutations: { method: string; path: string; userId: string }[];
  logins: number;
}

const isConsole = (d: DriverName): boolean => (CONSOLE_DRIVERS as readonly string[]).includes(d);

async function readTruth(env: SimEnv, driver: DriverName): Promise<Truth> {
  const state = (await (await fetch(env.fixtures.apps[driver]!.stateUrl)).json()) as Record<string, unknown> & {
    users: Record<string, unknown>[];
    mutations: Truth['mutations'];
  };
  const raw = state.users.find((u) => String(u.email).toLowerCase() === SUBJECT);
  if (!raw) throw new Error(`${driver}: ${SUBJECT} is not in the simulator`);
  let subject: SubjectState;
  let logins: number;
  switch (driver) {
    case 'bigid':
      subject = { id: String(raw.id), active: raw.isEnabled !== false, role: (raw.role as string) ?? null };
      logins = env.fixtures.bigid!.issuedTokens().length;
      break;
    case 'sigma':
      subject = { id: String(raw.memberId), active: raw.isArchived !== true, role: (raw.memberType as string) ?? null };
      logins = Number(state.tokensIssued);
      break;
    case 'stitch':
    case 'billcom':
      subject = { id: String(raw.id), active: raw.status === 'Active', role: (raw.role as string) ?? null };
      logins = Number(state.logins);
      break;
  }
  return { subject, mutations: state.mutations, logins };
}

function intendedPath(driver: DriverName, action: Action, id: string): { method: string; path: string } {
  const change = TARGETS[driver].change[action];
  const suffix = isConsole(driver) && action === 'offboard' ? '/deactivate' : '';
  return { method: change.method, path: `${change.pathPrefix}${id}${suffix}` };
}

function consoleHarness(env: SimEnv, driver: 'stitch' | 'billcom'): ConsoleHarness {
  const sim = env.fixtures[driver]!;
  const runtime = env.consoleRuntime;
  // Console drivers keep their signed-in page between calls, so "the change's call is
  // under way" is seen on the simulator: a request after the plan not answered yet.
  let requestsAtPlan = -1;
  return {
    faults: sim.consoleFaults,
    setLayout: (layout) => sim.setLayout(layout),
    disarmOnFirstDrop(field) {
      const drop = runtime.dropSession.bind(runtime);
      runtime.dropSession = (app) => {
        sim.consoleFaults[field] = null;
        return drop(app);
      };
    },
    armCrash() {
      requestsAtPlan = sim.faults.requests.length;
      sim.consoleFaults.pageLatencyMs = 1_500;
    },
    async crashWhenChangeStarts(job: JobSignals) {
      let over = false;
      void job.done.then(() => (over = true));
      const first = await Promise.race([job.planned.then(() => 'planned' as const), job.done.then(() => 'done' as const)]);
      if (first === 'done') return;
      // A page of the change is loading (slowly, armCrash): kill the browser under it.
      const inFlight = () => requestsAtPlan >= 0 && sim.faults.requests.slice(requestsAtPlan).some((r) => r.doneAt === null);
      while (!over && !inFlight()) await new Promise((r) => setTimeout(r, 20));
      const pid = runtime.pool.pid();
      if (!over && pid !== undefined) process.kill(pid, 'SIGKILL');
      sim.consoleFaults.pageLatencyMs = 0;
    },
  };
}

function request(driver: DriverName, action: Action): JobRequestInput {
  return action === 'offboard' ? { kind: 'offboard', email: SUBJECT, apps: [driver] } : { kind: 'set-role', email: SUBJECT, roles: { [driver]: NEW_ROLE[driver] } };
}

function truthConsistent(task: Task, action: Action, driver: DriverName, before: SubjectState, after: SubjectState): boolean {
  if (task.outcome === 'changed') return action === 'offboard' ? !after.active : after.role === NEW_ROLE[driver] && after.active;
  if (task.outcome === 'failed') return after.active === before.active && after.role === before.role;
  return false;
}

export async function runFaultCase(fault: FaultCase, driver: DriverName, action: Action, mode: Mode, testInfo: TestInfo): Promise<FaultRow> {
  const started = Date.now();
  const simulators: SimulatorOptionsByApp = {};
  (simulators as Record<string, unknown>)[driver] = { ...(fault.start?.consoleFaults ? { consoleFaults: fault.start.consoleFaults } : {}), ...(fault.start?.layout ? { layout: fault.start.layout } : {}) };
  const appConfig: Partial<Record<DriverName, Record<string, unknown>>> = {};
  appConfig[driver] = isConsole(driver) ? { options: { locatorTimeoutMs: fault.locatorTimeoutMs ?? RELAXED_LOCATOR_TIMEOUT_MS } } : { timeoutMs: API_TIMEOUT_MS };
  const env = await startSimEnv([driver], { users: 4, simulators, appConfig, config: { retry: { ...RETRY } } });
  try {
    const sim = env.fixtures[driver]!;
    const h: FaultHarness = {
      driver,
      action,
      mode,
      size: SIZES[mode],
      http: sim.faults,
      targets: TARGETS[driver],
      expireSessions: () => {
        if (driver === 'bigid') env.fixtures.bigid!.expireTokens();
        else if (driver === 'sigma') env.fixtures.sigma!.expireTokens();
        else env.fixtures[driver]!.expireSessions();
      },
      ...(driver === 'stitch' || driver === 'billcom' ? { console: consoleHarness(env, driver) } : {}),
    };
    const expected = fault.expect(h);
    const before = await readTruth(env, driver);

    fault.before?.(h);
    let planned = false;
    let markPlanned!: () => void;
    const plannedSignal = new Promise<void>((resolve) => (markPlanned = resolve));
    const jobPromise = runToEnd(env.runtime, actionRequestSchema.parse(request(driver, action)), { approvals: NO_APPROVAL_GATE,
      onTask: (t) => {
        // Synchronous, in-process: the plan has read the account, the change has not started.
        if (t.plan && !t.outcome && !planned) {
          planned = true;
          fault.afterPlan?.(h);
          markPlanned();
        }
      },
    });
    const done = jobPromise.then(
      () => undefined,
      () => undefined,
    );
    const during = fault.during?.(h, { planned: plannedSignal, done }) ?? Promise.resolve();
    const job = await jobPromise;
    await during;
    sim.faults.clear();
    // A request the driver gave up on may still be applied by the app: read the truth
    // only once the simulator has finished every request (bounded, so a bug cannot hang here).
    await Promise.race([sim.idle(), new Promise((r) => setTimeout(r, 15_000))]);

    const task = job.tasks[0]!;
    const after = await readTruth(env, driver);
    const intended = intendedPath(driver, action, before.subject.id);
    const stats = env.runtime.scheduler.stats(driver);
    const details = task.error?.details as { locator?: unknown } | undefined;
    const observed: Observed = {
      outcome: task.outcome ?? task.status,
      status: task.status,
      jobStatus: job.status,
      code: task.error?.code ?? null,
      message: task.error?.message ?? null,
      locator: typeof details?.locator === 'string' ? details.locator : null,
      attempts: task.attempts,
      retries: stats.retries,
      throttled: stats.throttled,
      readBack: stats.recoveredByReadBack > 0,
      logins: after.logins - before.logins,
      crashes: isConsole(driver) ? env.consoleRuntime.pool.stats.crashes : 0,
      mutations: after.mutations.length,
      unintended: after.mutations.filter((m) => m.userId !== before.subject.id || m.method !== intended.method || m.path !== intended.path).map((m) => `${m.method} ${m.path}`),
      truthConsistent: truthConsistent(task, action, driver, before.subject, after.subject),
      truth: `${SUBJECT} ${after.subject.active ? 'active' : 'inactive'}, role ${after.subject.role ?? 'none'} (was ${before.subject.active ? 'active' : 'inactive'}, ${before.subject.role ?? 'none'}); mutations: ${after.mutations.map((m) => `${m.method} ${m.path}`).join(', ') || 'none'}`,
    };
    const problems = judge(expected, observed);
    const row: FaultRow = {
      fault: fault.name,
      family: fault.family,
      driver,
      action,
      mode,
      expected: describeExpected(expected),
      ...observed,
      problems,
      ok: problems.length === 0,
      durationMs: Date.now() - started,
    };
    recordRow(row);
    await testInfo.attach('fault-row', { body: JSON.stringify(row, null, 2), contentType: 'application/json' });
    expect(problems, `${fault.name} × ${driver} (${action}): ${observed.truth}`).toEqual([]);
    return row;
  } finally {
    await env.close();
  }
}
