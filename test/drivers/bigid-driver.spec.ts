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
  const from = env.bigid.faults.requests.length;
  const job = await env.run({ kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  const seen = env.bigid.faults.requests.slice(from).map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{24}/, ':id')} ${r.auth} ${r.status}`);
  // Three scheduled calls (the plan's find, the engine's read just before the change,
  // then the change), one attempt each: the re-login happened inside the first call,
  // not as a scheduler retry.
  expect(job.tasks[0]!.attempts).toBe(3);
  expect(seen).toEqual([
    'GET /api/v1/users raw 401',
    'POST /api/v1/sessions none 200',
    'GET /api/v1/users raw 200',
    'GET /api/v1/users raw 200',
    'GET /api/v1/users/:id raw 200',
    'PUT /api/v1/users/:id raw 200',
    'GET /api/v1/users/:id raw 200',
  ]);
  const sessions = job.tasks[0]!.evidence.filter((e) => e.kind === 'request' && e.url.endsWith('/sessions'));
  expect(sessions).toHaveLength(1);
  expect((await truth()).users.find((u) => u.email === 'asmith@example.com')).toMatchObject({ isEnabled: false, role: 'Auditor' });
});

test('the Authorization header carries the raw token unless a prefix is configured', async () => {
  const from = env.bigid.faults.requests.length;
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], dryRun: true });
  expect(job.tasks[0]!.outcome).toBe('planned');
  expect(job.tasks[0]!.error).toBeNull();
  // What the simulator saw: the sign-in without a header, then only the raw token.
  const rawRun = env.bigid.faults.requests.slice(from);
  expect(rawRun[0]).toMatchObject({ method: 'POST', path: '/api/v1/sessions', auth: 'none', status: 200 });
  expect(rawRun.slice(1).length).toBeGreaterThan(0);
  expect(new Set(rawRun.slice(1).map((r) => `${r.auth} ${r.status}`))).toEqual(new Set(['raw 200']));

  // "Bearer " against a BigID that wants the raw token: every authed call is a 401,
  // and the task fails on the session, not on something else.
  const bearer = await startApiEnv({ bigidOptions: { authPrefix: 'Bearer ' }, retry: { attempts: 2 } });
  try {
    const failed = await bearer.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
    expect(failed.tasks[0]!.outcome).toBe('failed');
    expect(failed.tasks[0]!.error?.code).toBe('SESSION_EXPIRED');
    const seen = bearer.bigid.faults.requests.map((r) => `${r.method} ${r.path} ${r.auth} ${r.status}`);
    // Attempt 1: sign in, 401, sign in again, 401. Attempt 2 starts with the token it
    // holds: 401, sign in, 401. Then the policy's two attempts are spent.
    const signIn = 'POST /api/v1/sessions none 200';
    const refused = 'GET /api/v1/users bearer 401';
    expect(seen).toEqual([signIn, refused, signIn, refused, refused, signIn, refused]);
    expect((await groundTruth<BigIdTruth>(bearer.bigid.stateUrl)).mutations).toHaveLength(0);
  } finally {
    await bearer.close();
  }

  // The same prefix against a deployment that takes "Bearer <token>" works.
  const lenient = await startApiEnv({ bigid: { acceptBearer: true }, bigidOptions: { authPrefix: 'Bearer ' } });
  try {
    const ok = await lenient.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
    expect(ok.tasks[0]!.outcome).toBe('changed');
    const authed = lenient.bigid.faults.requests.filter((r) => r.path !== '/api/v1/sessions');
    expect(new Set(authed.map((r) => r.auth))).toEqual(new Set(['bearer']));
  } finally {
    await lenient.close();
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
