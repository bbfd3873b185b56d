import { expect, test } from '@playwright/test';
import { SeatctlError } from '../../src/errors/index.js';
import { startScimEnv, type ScimEnv } from '../support/scim-env.js';
import { testContext } from '../support/evidence.js';

/**
 * Faults on the way to the independent SCIM server (SCIMMY peer behind the fault
 * proxy): 429, 5xx and lost responses on provision and deactivate. Whatever happens
 * on the wire, the peer's own store must end with exactly one account created and
 * one deactivation applied: never a duplicate, never a change sent twice.
 */
let env: ScimEnv;
test.beforeEach(async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 10 });
});
test.afterEach(async () => env?.close());

const USERS = '/scim/v2/Users';
const hire = { kind: 'provision' as const, email: 'lost.answer@example.com', firstName: 'Lost', lastName: 'Answer', roles: { scim: 'Viewer' }, teams: { scim: ['Data'] } };

async function peerUser(email: string) {
  const state = await env.peer!.state();
  return { matches: state.users.filter((u) => u.userName.toLowerCase() === email), state };
}

test('provision whose POST answer is lost: the engine reads back, one account exists, no second POST', async () => {
  env.proxy!.faults.enqueue({ kind: 'reset-after-commit', method: 'POST', pathPrefix: USERS });
  const job = await env.run(hire);
  const task = job.tasks[0]!;
  expect(task.outcome, `${task.error?.code} ${task.detail}`).toBe('changed');
  expect(task.notes).toContain('the response was lost; the change was confirmed by reading the account back');

  const { matches, state } = await peerUser(hire.email);
  expect(matches).toHaveLength(1);
  expect(matches[0]).toMatchObject({ active: true, roles: [{ value: 'Viewer', primary: true }] });
  expect(state.mutations.filter((m) => m.method === 'POST')).toHaveLength(1);
  // The proxy saw exactly one POST, the one whose answer it dropped.
  const posts = env.proxy!.faults.requests.filter((r) => r.method === 'POST' && r.path === USERS);
  expect(posts.map((r) => r.status)).toEqual([null]);
});

test('deactivate whose PATCH answer is lost: one PATCH applied, the retry is a read-back', async () => {
  env.proxy!.faults.enqueue({ kind: 'reset-after-commit', method: 'PATCH', pathPrefix: USERS });
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['scim'] });
  const task = job.tasks[0]!;
  expect(task.outcome, `${task.error?.code} ${task.detail}`).toBe('changed');
  const { matches, state } = await peerUser('jdoe@example.com');
  expect(matches[0]!.active).toBe(false);
  expect(state.mutations.filter((m) => m.userId === matches[0]!.id && m.method === 'PATCH')).toHaveLength(1);
  expect(env.proxy!.faults.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([null]);
});

test('429 then 503 on provision, 503 then 429 on deactivate: retried, each change applied once', async () => {
  env.proxy!.faults.enqueue({ kind: '429', method: 'POST', pathPrefix: USERS });
  env.proxy!.faults.enqueue({ kind: '503', method: 'POST', pathPrefix: USERS });
  env.proxy!.faults.enqueue({ kind: '503', method: 'PATCH', pathPrefix: USERS });
  env.proxy!.faults.enqueue({ kind: '429', method: 'PATCH', pathPrefix: USERS });
  const hired = await env.run(hire);
  expect(hired.tasks[0]!.outcome, hired.tasks[0]!.detail ?? '').toBe('changed');
  const gone = await env.run({ kind: 'offboard', email: hire.email, apps: ['scim'] });
  expect(gone.tasks[0]!.outcome, gone.tasks[0]!.detail ?? '').toBe('changed');

  const { matches, state } = await peerUser(hire.email);
  expect(matches).toHaveLength(1);
  expect(matches[0]!.active).toBe(false);
  const mine = state.mutations.filter((m) => m.userId === matches[0]!.id);
  expect(mine.map((m) => `${m.method} ${m.path.startsWith(USERS) ? 'Users' : 'Groups'}`)).toEqual(['POST Users', 'PATCH Groups', 'PATCH Users']);
  expect(env.proxy!.faults.requests.filter((r) => r.method !== 'GET' && r.path.startsWith(USERS)).map((r) => `${r.method} ${r.status}`)).toEqual(['POST 429', 'POST 503', 'POST 201', 'PATCH 503', 'PATCH 429', 'PATCH 200']);
  // Added to its team once, too.
  expect(state.groups.find((g) => g.displayName === 'Data')!.members.filter((m) => m.value === matches[0]!.id)).toHaveLength(1);
});

test('driver alone: a lost POST, then the same provision again → 409 uniqueness → the account is adopted, not duplicated', async () => {
  const driver = env.runtime.driver('scim');
  const spec = { email: 'adopt.me@example.com', firstName: 'Adopt', lastName: 'Me', role: 'Auditor' };
  env.proxy!.faults.enqueue({ kind: 'reset-after-commit', method: 'POST', pathPrefix: USERS });
  const lost = await driver.provision(spec, testContext()).catch((err: unknown) => err);
  expect((lost as SeatctlError).code).toBe('NETWORK');

  const again = await driver.provision(spec, testContext());
  expect(again.changed).toBe(true);
  expect(again.notes.join(' ')).toContain('409 uniqueness');
  const { matches } = await peerUser(spec.email);
  expect(matches).toHaveLength(1);
  expect(again.after?.id).toBe(matches[0]!.id);
  expect(env.proxy!.faults.requests.filter((r) => r.method === 'POST').map((r) => r.status)).toEqual([null, 409]);

  // An account that exists but is not what was asked (another role) is a conflict, not adopted.
  const other = await driver.provision({ ...spec, role: 'Admin' }, testContext()).catch((err: unknown) => err);
  expect(other).toBeInstanceOf(SeatctlError);
  expect((other as SeatctlError).code).toBe('CONFLICT');
  expect((other as SeatctlError).message).toContain('does not match the request');
  expect((await peerUser(spec.email)).matches[0]!.roles).toEqual([{ value: 'Auditor', primary: true }]);
});
