import { test, expect } from '@playwright/test';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { billcomTruth, deactivations, describeTask, stitchTruth, taskFor, userIn } from './console-truth.js';

/**
 * The consoles' own rules (app-facts "Stitch" and "Bill.com"): a refusal shown by the
 * console becomes a failed task with RULE_REFUSED and nothing changes in the app;
 * the rules that succeed with a side effect (Dual Control, To-Dos) leave a note.
 * Every verdict is checked against the simulators' ground truth.
 */
const stitchOnly = ['stitch'];
const billcomOnly = ['billcom'];

test.describe('default plans (Stitch unlimited, Bill.com without Dual Control)', () => {
  test.describe.configure({ mode: 'serial' });
  let env: SimEnv;
  test.beforeAll(async () => {
    env = await startSimEnv(['stitch', 'billcom'], { users: 0 });
  });
  test.afterAll(async () => {
    await env?.close();
  });

  test('Bill.com: offboarding yourself is refused, nothing changes', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'offboard', email: 'it-admin@example.com', apps: billcomOnly });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('RULE_REFUSED');
    expect(task.error?.message).toMatch(/can't deactivate your own user/);
    const truth = await billcomTruth(env);
    expect(truth.mutations).toEqual([]);
    expect(userIn(truth, 'it-admin@example.com').status).toBe('Active');
  });

  test('Bill.com: the last active Administrator cannot be demoted', async () => {
    test.setTimeout(150_000);
    // Two admins in the seed (with no generated users): it-admin (the login) and controller.
    const first = await env.run({ kind: 'set-role', email: 'controller@example.com', roles: { billcom: 'Clerk' } });
    expect(taskFor(first, 'billcom').outcome, describeTask(taskFor(first, 'billcom'))).toBe('changed');
    const afterFirst = await billcomTruth(env);
    expect(afterFirst.users.filter((u) => u.role === 'Administrator' && u.status === 'Active').map((u) => u.email)).toEqual(['it-admin@example.com']);

    const job = await env.run({ kind: 'set-role', email: 'it-admin@example.com', roles: { billcom: 'Clerk' } });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('RULE_REFUSED');
    expect(task.error?.message).toMatch(/At least one active Administrator must remain/);
    const truth = await billcomTruth(env);
    expect(userIn(truth, 'it-admin@example.com').role).toBe('Administrator');
    expect(truth.mutations).toHaveLength(afterFirst.mutations.length);
  });

  test('Bill.com: offboarding the default approver succeeds and notes the To-Do it created', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: billcomOnly });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('changed');
    const truth = await billcomTruth(env);
    const jdoe = userIn(truth, 'jdoe@example.com');
    expect(jdoe.status).toBe('Inactive');
    expect(deactivations(truth, jdoe.id)).toHaveLength(1);
    const todos = truth.todos.filter((t) => t.userId === jdoe.id);
    expect(todos).toHaveLength(1);
    expect(task.notes.join('\n')).toMatch(/To-Do.*John Doe/);
  });

  test('Bill.com: provisioning a deactivated email reactivates the same user, never creates one', async () => {
    test.setTimeout(150_000);
    // jdoe was deactivated above (an Approver): a deactivated email cannot be re-added in Bill.com.
    const before = await billcomTruth(env);
    const jdoeBefore = userIn(before, 'jdoe@example.com');
    expect(jdoeBefore.status).toBe('Inactive');

    const job = await env.run({ kind: 'provision', email: 'jdoe@example.com', firstName: 'John', lastName: 'Doe', roles: { billcom: 'Clerk' } });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('changed');
    // The plan saw the inactive account and chose reactivate, then the role change.
    expect(task.plan?.operations).toEqual(['reactivate', 'set-role']);

    const truth = await billcomTruth(env);
    const added = truth.mutations.slice(before.mutations.length);
    expect(added.map((m) => `${m.method} ${m.path}`)).toEqual([`POST /api/users/${jdoeBefore.id}/reactivate`, `PATCH /api/users/${jdoeBefore.id}`]);
    expect(truth.users.filter((u) => u.email === 'jdoe@example.com')).toHaveLength(1);
    expect(truth.users).toHaveLength(before.users.length);
    expect(userIn(truth, 'jdoe@example.com')).toMatchObject({ id: jdoeBefore.id, status: 'Active', role: 'Clerk' });
  });

  test('Stitch: the last Administrator can be neither deactivated nor demoted', async () => {
    test.setTimeout(150_000);
    const offboard = await env.run({ kind: 'offboard', email: 'it-admin@example.com', apps: stitchOnly });
    const task = taskFor(offboard, 'stitch');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('RULE_REFUSED');
    expect(task.error?.message).toMatch(/at least one Administrator/);

    const demote = await env.run({ kind: 'set-role', email: 'it-admin@example.com', roles: { stitch: 'General User' } });
    const demoteTask = taskFor(demote, 'stitch');
    expect(demoteTask.outcome, describeTask(demoteTask)).toBe('failed');
    expect(demoteTask.error?.code).toBe('RULE_REFUSED');

    const truth = await stitchTruth(env);
    expect(truth.mutations).toEqual([]);
    expect(userIn(truth, 'it-admin@example.com')).toMatchObject({ role: 'Administrator', status: 'Active' });
  });

  test('Stitch: an email owned by another Stitch account is refused, nothing created', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'provision', email: 'taken@elsewhere.example', firstName: 'Taken', lastName: 'Elsewhere', roles: { stitch: 'General User' } });
    const task = taskFor(job, 'stitch');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('RULE_REFUSED');
    expect(task.error?.message).toMatch(/already associated with another Stitch account/);
    const truth = await stitchTruth(env);
    expect(truth.users.some((u) => u.email === 'taken@elsewhere.example')).toBe(false);
    expect(truth.mutations).toEqual([]);
  });
});

test.describe('Stitch Standard plan and Bill.com Dual Control', () => {
  test.describe.configure({ mode: 'serial' });
  let env: SimEnv;
  test.beforeAll(async () => {
    // No generated people: the team is it-admin, jdoe and asmith, which fills a cap of 3.
    env = await startSimEnv(['stitch', 'billcom'], { users: 0, simulators: { stitch: { plan: 'standard', memberCap: 3 }, billcom: { dualControl: true } } });
  });
  test.afterAll(async () => {
    await env?.close();
  });

  test('Stitch: a provision over the Standard plan cap is refused and nothing is created', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'provision', email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', roles: { stitch: 'General User' } });
    const task = taskFor(job, 'stitch');
    expect(task.outcome, describeTask(task)).toBe('failed');
    expect(task.error?.code).toBe('RULE_REFUSED');
    expect(task.error?.message).toMatch(/Standard plan allows up to 3 team members/);
    const truth = await stitchTruth(env);
    expect(truth.users.some((u) => u.email === 'new.hire@example.com')).toBe(false);
    expect(truth.mutations).toEqual([]);
  });

  test('Bill.com Dual Control: the new user stays Pending and the task says so', async () => {
    test.setTimeout(150_000);
    const job = await env.run({ kind: 'provision', email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', roles: { billcom: 'Payer' } });
    const task = taskFor(job, 'billcom');
    expect(task.outcome, describeTask(task)).toBe('changed');
    expect(task.after?.status).toBe('pending');
    expect(task.notes.join('\n')).toMatch(/Dual Control is on: the new user stays Pending/);
    const truth = await billcomTruth(env);
    expect(userIn(truth, 'new.hire@example.com')).toMatchObject({ status: 'Pending', role: 'Payer' });
    expect(truth.users.filter((u) => u.email === 'new.hire@example.com')).toHaveLength(1);
    expect(truth.mutations.map((m) => `${m.method} ${m.path}`)).toEqual(['POST /api/users']);
  });
});

test.describe('roles are checked against the console before any change', () => {
  let env: SimEnv;
  test.beforeAll(async () => {
    env = await startSimEnv(['stitch', 'billcom'], { users: 0 });
  });
  test.afterAll(async () => {
    await env?.close();
  });

  test('roles #10: an unknown role is ROLE_INVALID on both consoles, at once, naming the valid roles; nothing changes', async () => {
    test.setTimeout(150_000);
    const started = Date.now();
    const job = await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { stitch: 'Owner', billcom: 'Owner' } });
    const elapsed = Date.now() - started;
    const stitch = taskFor(job, 'stitch');
    const billcom = taskFor(job, 'billcom');
    for (const task of [stitch, billcom]) {
      expect(task.outcome, describeTask(task)).toBe('failed');
      expect(task.error?.code).toBe('ROLE_INVALID');
      // Permanent: the first attempt was the last (no four locator timeouts).
      expect(task.notes.join('\n')).not.toMatch(/retry/);
      expect(task.evidence.filter((e) => e.kind === 'note' && /retry after/.test(e.text))).toEqual([]);
    }
    expect(stitch.error?.message).toBe('stitch: unknown role(s) "Owner"; roles: Administrator, General User');
    expect(billcom.error?.message).toBe('billcom: unknown role(s) "Owner"; roles: Administrator, Accountant, Clerk, Approver, Payer, Auditor');
    console.log(`roles #10: both consoles refused the unknown role in ${elapsed} ms (the locator timeout is 15000 ms)`);

    const stitchState = await stitchTruth(env);
    const billcomState = await billcomTruth(env);
    expect(stitchState.mutations).toEqual([]);
    expect(billcomState.mutations).toEqual([]);
    expect(userIn(stitchState, 'asmith@example.com').role).toBe('General User');
    expect(userIn(billcomState, 'asmith@example.com').role).toBe('Accountant');

    // The driver call itself checks too (not only the planner): provision with an unknown role.
    const sink = { scratchDir: env.dir, items: [], add() {}, note() {}, saveFile: async () => ({ kind: 'screenshot' as const, at: '', path: '', sha256: '', caption: '' }) };
    for (const app of ['stitch', 'billcom']) {
      const err = await env.runtime
        .driver(app)
        .provision({ email: 'new.hire@example.com', firstName: 'New', lastName: 'Hire', role: 'Owner' }, { evidence: sink, dryRun: false })
        .then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'ROLE_INVALID', retryClass: 'permanent' });
    }
    expect((await stitchTruth(env)).mutations).toEqual([]);
    expect((await billcomTruth(env)).mutations).toEqual([]);
    expect((await billcomTruth(env)).users.some((u) => u.email === 'new.hire@example.com')).toBe(false);
  });
});
