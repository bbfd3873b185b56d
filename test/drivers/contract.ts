import { test, expect } from '@playwright/test';
import type { Driver, DriverCallContext, ProvisionSpec } from '../../src/drivers/driver.js';
import { decideOperations } from '../../src/engine/plan-task.js';
import { createJobEngine } from '../../src/engine/job-engine.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { hasAccess, jobRequestSchema, type AppUser, type JobRequestInput, type Task } from '../../src/model/index.js';
import { openJobStore } from '../../src/store/index.js';

/**
 * One set of tests, run against every driver (API or console): the engine relies on
 * exactly these behaviours, so every driver must show them against its simulator's
 * ground truth — not against what the driver itself claims.
 */
export interface TruthUser {
  active: boolean;
  role: string | null;
}

export interface ContractTarget {
  driver: Driver;
  /** The runtime the driver came from: the contract also runs through the job engine on it. */
  runtime: Runtime;
  ctx(dryRun?: boolean): DriverCallContext;
  truth(email: string): Promise<TruthUser | null>;
  mutationCount(): Promise<number>;
  /** How many users listUsers({includeInactive:true}) must return. */
  listedCount(): Promise<number>;
  /** Active users the suite may change, one per test that mutates. */
  people: { roleChange: string; deactivate: string; dryRun: string };
  /** Two valid roles, different from each other. */
  roles: [string, string];
  newPerson: ProvisionSpec;
  /** Active, ordinary accounts (ground truth) no other test touches, for the engine runs. */
  spares(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * What a change's read-back (`after`) must say, by the simulator's ground truth: the
 * account as it now is, or null only when the app no longer lists it (a console that
 * drops deactivated members) — never the before-state copied forward.
 */
export async function expectAfterIsTruth(t: ContractTarget, email: string, after: AppUser | null, before: AppUser | null): Promise<void> {
  const truth = await t.truth(email);
  expect(truth, `${email} in the simulator`).not.toBeNull();
  if (!truth!.active && t.driver.capabilities.listsDeactivated === false) {
    expect(after, `${email}: the app no longer lists it, so nothing was read back`).toBeNull();
  } else {
    expect(after, `${email}: read back`).not.toBeNull();
    expect({ email: after!.email.toLowerCase(), active: hasAccess(after!), role: after!.role }).toEqual({ email: email.toLowerCase(), active: truth!.active, role: truth!.role });
  }
  expect(after, `${email}: after is not the before-state`).not.toEqual(before);
}

const offboardTask = (app: string, email: string): Task => ({
  id: 't', jobId: 'j', app, action: 'offboard', subject: { email }, params: { mode: 'deactivate' },
  status: 'pending', outcome: null, detail: null, plan: null, after: null, notes: [], attempts: 0, error: null, evidence: [], startedAt: null, finishedAt: null,
});

export function driverContract(name: string, setup: () => Promise<ContractTarget>): void {
  test.describe(`driver contract: ${name}`, () => {
    test.describe.configure({ mode: 'serial' });
    let t: ContractTarget;
    test.beforeAll(async () => {
      t = await setup();
    });
    test.afterAll(async () => {
      await t?.close();
    });

    test('findUser matches the email case-insensitively and normalizes the record', async () => {
      const user = await t.driver.findUser(t.people.roleChange.toUpperCase(), t.ctx());
      expect(user).not.toBeNull();
      expect(user!.email.toLowerCase()).toBe(t.people.roleChange);
      expect(user!.app).toBe(t.driver.app);
      expect(user!.status).toBe('active');
      expect(user!.id).not.toBe('');
      const truth = await t.truth(t.people.roleChange);
      expect(user!.role).toBe(truth!.role);
    });

    test('findUser returns null for someone without an account', async () => {
      expect(await t.driver.findUser('nobody-here@example.com', t.ctx())).toBeNull();
    });

    test('listUsers reads every page: same count as the ground truth, no duplicates', async () => {
      const ids = new Set<string>();
      let total = 0;
      for await (const page of t.driver.listUsers(t.ctx(), { includeInactive: true })) {
        total += page.length;
        for (const u of page) ids.add(u.id);
      }
      expect(total).toBe(await t.listedCount());
      expect(ids.size).toBe(total);
    });

    test('listRoles includes the roles the suite uses', async () => {
      const roles = await t.driver.listRoles(t.ctx());
      expect(roles).toEqual(expect.arrayContaining(t.roles));
    });

    test('provision creates the account with the role, confirmed by ground truth', async () => {
      const before = await t.mutationCount();
      const result = await t.driver.provision(t.newPerson, t.ctx());
      expect(result.changed).toBe(true);
      expect(result.after?.role).toBe(t.newPerson.role);
      expect(await t.truth(t.newPerson.email)).toMatchObject({ active: true, role: t.newPerson.role });
      await expectAfterIsTruth(t, t.newPerson.email, result.after, null);
      expect(await t.mutationCount()).toBeGreaterThan(before);
    });

    test('setRole changes only the role', async () => {
      const user = (await t.driver.findUser(t.people.roleChange, t.ctx()))!;
      const target = user.role === t.roles[0] ? t.roles[1] : t.roles[0];
      const result = await t.driver.setRole(user, target, t.ctx());
      expect(result.changed).toBe(true);
      expect(await t.truth(t.people.roleChange)).toEqual({ active: true, role: target });
      await expectAfterIsTruth(t, t.people.roleChange, result.after, user);
    });

    test('dry run prepares a deactivation and changes nothing', async () => {
      const user = (await t.driver.findUser(t.people.dryRun, t.ctx()))!;
      const before = await t.mutationCount();
      const result = await t.driver.deactivate(user, t.ctx(true));
      expect(result.planned).toBe(true);
      expect(result.changed).toBe(false);
      expect(await t.mutationCount()).toBe(before);
      expect(await t.truth(t.people.dryRun)).toMatchObject({ active: true });
    });

    test('deactivate removes access and keeps the role; a re-plan is a no-op; reactivate restores', async () => {
      const user = (await t.driver.findUser(t.people.deactivate, t.ctx()))!;
      const roleBefore = (await t.truth(t.people.deactivate))!.role;
      const result = await t.driver.deactivate(user, t.ctx());
      expect(result.changed).toBe(true);
      expect(await t.truth(t.people.deactivate)).toEqual({ active: false, role: roleBefore });
      await expectAfterIsTruth(t, t.people.deactivate, result.after, user);

      // Consoles that stop listing deactivated members find nobody: that is "no access" too.
      const again = await t.driver.findUser(t.people.deactivate, t.ctx());
      expect(decideOperations(offboardTask(t.driver.app, t.people.deactivate), again, t.driver).operations).toEqual([]);

      const restored = await t.driver.reactivate(again ?? user, t.ctx());
      expect(restored.changed).toBe(true);
      expect(await t.truth(t.people.deactivate)).toMatchObject({ active: true });
      await expectAfterIsTruth(t, t.people.deactivate, restored.after, again);
    });

    test('evidence #1 / contract #2: plan → approve → apply through the job engine; every changed task reads back the ground truth', async () => {
      test.setTimeout(300_000);
      const [offboardee, roleChangee] = await t.spares();
      expect(roleChangee, 'two spare accounts in the simulator').toBeDefined();
      const roleNow = (await t.truth(roleChangee!))!.role;
      const newRole = roleNow === t.roles[0] ? t.roles[1] : t.roles[0];
      const hire = { ...t.newPerson, email: `engine.${t.newPerson.email}` };
      const app = t.driver.app;
      const requests: JobRequestInput[] = [
        { kind: 'offboard', email: offboardee!, apps: [app], requireApproval: true },
        { kind: 'set-role', email: roleChangee!, roles: { [app]: newRole }, requireApproval: true },
        { kind: 'provision', email: hire.email, firstName: hire.firstName, lastName: hire.lastName, roles: { [app]: hire.role }, requireApproval: true },
      ];
      const store = await openJobStore(t.runtime.config);
      try {
        const engine = createJobEngine({ runtime: t.runtime, store, approvals: t.runtime.config.approvals });
        for (const [i, request] of requests.entries()) {
          const email = [offboardee!, roleChangee!, hire.email][i]!;
          const mutationsBefore = await t.mutationCount();
          const { stored } = await engine.submit(jobRequestSchema.parse(request), { requestedBy: 'contract' });
          const planned = await engine.process(stored.job.id);
          expect(planned.job.status).toBe('awaiting_approval');
          expect(await t.mutationCount(), 'planning changes nothing').toBe(mutationsBefore);
          // A second person approves: the requester may not (separation of duties).
          await engine.approve(planned.job.id, planned.planHash!, 'contract-approver');
          const done = await engine.process(planned.job.id);
          const task = done.job.tasks[0]!;
          expect(task.outcome, `${request.kind}: ${task.error?.code ?? ''} ${task.detail ?? ''}`).toBe('changed');
          expect(await t.mutationCount()).toBeGreaterThan(mutationsBefore);
          await expectAfterIsTruth(t, email, task.after, task.plan!.before);
          if (task.after === null) expect(task.notes).toContain(`read back: ${email} is no longer listed: deactivated (this app does not list deactivated members)`);
        }
        expect((await t.truth(offboardee!))!.active).toBe(false);
        expect((await t.truth(roleChangee!))!.role).toBe(newRole);
        expect(await t.truth(hire.email)).toEqual({ active: true, role: hire.role });
      } finally {
        await store.close();
      }
    });
  });
}
