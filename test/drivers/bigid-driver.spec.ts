import { test, expect } from '@playwright/test';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';

interface BigIdTruth {
  users: { id: string; email: string; isEnabled: boolean; role?: string; firstName?: string; lastName?: string; origin: string }[];
  mutations: { method: string; path: string; userId: string }[];
}

let env: ApiEnv;
test.beforeEach(async () => {
  env = await startApiEnv({ bigidOptions: { samlDomains: ['sso.example.com'] } });
});
test.afterEach(async () => env.close());

const truth = () => groundTruth<BigIdTruth>(env.bigid.stateUrl);
const jdoe = async () => (await truth()).users.find((u) => u.email === 'jdoe@example.com')!;

test('offboarding disables jdoe and keeps role Admin and names (the full-replacement PUT trap)', async () => {
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect(await jdoe()).toMatchObject({ isEnabled: false, role: 'Admin', firstName: 'John', lastName: 'Doe' });
  const puts = (await truth()).mutations.filter((m) => m.method === 'PUT');
  expect(puts).toHaveLength(1);
});

test('a second offboarding is a no-op and sends no mutation', async () => {
  await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  const count = (await truth()).mutations.length;
  const again = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  expect(again.tasks[0]!.outcome).toBe('noop');
  expect((await truth()).mutations.length).toBe(count);
});

test('someone without an account is not_found, and the job still succeeds', async () => {
  const job = await env.run({ kind: 'offboard', email: 'ghost@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('not_found');
  expect(job.status).toBe('succeeded');
});

test('a token that expires mid-run is replaced by one transparent re-login', async () => {
  await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { bigid: 'Auditor' } });
  env.bigid.expireTokens();
  const job = await env.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect(job.tasks[0]!.attempts).toBeGreaterThan(0);
  const sessions = job.tasks[0]!.evidence.filter((e) => e.kind === 'request' && e.url.endsWith('/sessions'));
  expect(sessions).toHaveLength(1);
  expect((await truth()).users.find((u) => u.email === 'asmith@example.com')).toMatchObject({ isEnabled: false, role: 'Auditor' });
});

test('the Authorization header carries the raw token unless a prefix is configured', async () => {
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true });
  expect(job.tasks[0]!.outcome).toBe('planned');
  // The simulator refuses "Bearer <token>" by default, so success proves the raw form was sent.
  expect(job.tasks[0]!.error).toBeNull();
  const bearer = await startApiEnv({ bigidOptions: { authPrefix: 'Bearer ' } });
  try {
    const failed = await bearer.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
    expect(failed.tasks[0]!.outcome).toBe('failed');
  } finally {
    await bearer.close();
  }
});

test('role names are validated exactly: "admin" is refused with a hint and nothing changes', async () => {
  const job = await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { bigid: 'admin' } });
  expect(job.tasks[0]!.outcome).toBe('failed');
  expect(job.tasks[0]!.error?.code).toBe('ROLE_INVALID');
  expect(job.tasks[0]!.error?.message).toContain('did you mean "Admin"');
  expect((await truth()).mutations).toHaveLength(0);
});

test('SAML users: provisioning one is refused; offboarding one says to disable them in the IdP too', async () => {
  const refused = await env.run({ kind: 'provision', email: 'pat@sso.example.com', firstName: 'Pat', lastName: 'Sso', roles: { bigid: 'Viewer' } });
  expect(refused.tasks[0]!.error?.code).toBe('SAML_USER');
  expect((await truth()).mutations).toHaveLength(0);

  const job = await env.run({ kind: 'offboard', email: 'samlsam@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect(job.tasks[0]!.notes.join(' ')).toContain('also disable this person in the IdP');
});

test('provision then set-role keep the other fields; provisioning again is a no-op', async () => {
  const made = await env.run({ kind: 'provision', email: 'kim@example.com', firstName: 'Kim', lastName: 'Lee', roles: { bigid: 'Viewer' } });
  expect(made.tasks[0]!.outcome).toBe('changed');
  const again = await env.run({ kind: 'provision', email: 'kim@example.com', firstName: 'Kim', lastName: 'Lee', roles: { bigid: 'Viewer' } });
  expect(again.tasks[0]!.outcome).toBe('noop');
  await env.run({ kind: 'set-role', email: 'kim@example.com', roles: { bigid: 'Data Steward' } });
  expect((await truth()).users.find((u) => u.email === 'kim@example.com')).toMatchObject({ role: 'Data Steward', firstName: 'Kim', lastName: 'Lee', isEnabled: true });
});

test('delete only when asked, and it removes the account', async () => {
  const job = await env.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'], mode: 'delete' });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect((await truth()).users.find((u) => u.email === 'asmith@example.com')).toBeUndefined();
});
