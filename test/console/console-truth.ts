import { expect } from '@playwright/test';
import type { Job, Task } from '../../src/model/index.js';
import { groundTruth } from '../support/api-env.js';
import type { SimEnv } from '../support/sim-env.js';

/**
 * Ground truth of the two console simulators (`/__fixture/state`), typed for the
 * console scenario tests: every assertion there is made against these, never only
 * against what the driver reports.
 */
export interface Mutation {
  at: string;
  method: string;
  path: string;
  userId: string;
  body?: Record<string, unknown>;
}

export interface StitchState {
  users: { id: string; email: string; name: string; role: string; status: 'Active' | 'Invited' | 'Deactivated' }[];
  mutations: Mutation[];
  logins: number;
  failedLogins: number;
  sessionsIssued: number;
  sessionExpiries: number;
}

export interface BillcomState {
  users: { id: string; email: string; firstName: string; lastName: string; role: string; status: 'Active' | 'Inactive' | 'Pending'; isDefaultApprover: boolean }[];
  todos: { id: string; orgId: string; userId: string; text: string }[];
  mutations: Mutation[];
  logins: number;
  mfaChallenges: number;
  sessionsIssued: number;
  orgs: { id: string; name: string }[];
}

export const stitchTruth = (env: SimEnv): Promise<StitchState> => groundTruth<StitchState>(env.fixtures.stitch!.stateUrl);
export const billcomTruth = (env: SimEnv): Promise<BillcomState> => groundTruth<BillcomState>(env.fixtures.billcom!.stateUrl);

/** The simulator's record of one person, by email (both store emails lower case). */
export function userIn<U extends { email: string }>(state: { users: U[] }, email: string): U {
  const user = state.users.find((u) => u.email === email.toLowerCase());
  expect(user, `${email} in the simulator`).toBeDefined();
  return user!;
}

/** Applied deactivations of one user (Stitch `/api/team/:id/deactivate`, Bill.com `/api/users/:id/deactivate`). */
export const deactivations = (state: { mutations: Mutation[] }, userId: string): Mutation[] =>
  state.mutations.filter((m) => m.userId === userId && m.method === 'POST' && m.path.endsWith('/deactivate'));

export function taskFor(job: Job, app: string): Task {
  const task = job.tasks.find((t) => t.app === app);
  expect(task, `task for ${app}`).toBeDefined();
  return task!;
}

/** A readable one-liner for assertion messages: what the task ended as and why. */
export const describeTask = (t: Task): string => `${t.app}: ${t.outcome} ${t.error ? `${t.error.code} ${t.error.message}` : (t.detail ?? '')}`;

/** How each console's status column reads in seatctl's terms (Stitch stops listing Deactivated). */
const CONSOLE_STATUS: Record<string, string> = { Active: 'active', Invited: 'invited', Pending: 'pending', Inactive: 'inactive' };

/**
 * A changed console task's `after` is the simulator's record as it now is — or null with
 * a "no longer listed" note where the console drops the member (Stitch, Deactivated) —
 * and never the plan's before-state carried forward.
 */
export function expectAfterIsTruth(task: Task, state: { users: { email: string; role: string; status: string }[] }): void {
  expect(task.outcome, describeTask(task)).toBe('changed');
  const user = userIn(state, task.subject.email);
  if (user.status === 'Deactivated') {
    expect(task.after, `${task.app}: nothing to read back, the console no longer lists ${user.email}`).toBeNull();
    expect(task.notes).toContain(`read back: ${task.subject.email} is no longer listed: deactivated (this app does not list deactivated members)`);
  } else {
    expect(task.after, `${task.app}: read back`).not.toBeNull();
    expect({ email: task.after!.email.toLowerCase(), status: task.after!.status, role: task.after!.role }).toEqual({ email: user.email, status: CONSOLE_STATUS[user.status], role: user.role });
  }
  expect(task.plan?.before, `${task.app}: the plan saw the account`).not.toBeNull();
  expect(task.after).not.toEqual(task.plan!.before);
}
