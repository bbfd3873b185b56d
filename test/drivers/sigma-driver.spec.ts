import { test, expect } from '@playwright/test';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';
import { testContext } from '../support/evidence.js';

interface SigmaTruth {
  users: { memberId: string; email: string; isArchived: boolean; memberType: string; firstName: string }[];
  teams: { teamId: string; name: string; members?: string[] }[];
  mutations: { method: string; path: string; userId: string }[];
  tokensIssued: number;
}

let env: ApiEnv;
test.afterEach(async () => env?.close());
const truth = () => groundTruth<SigmaTruth>(env.sigma.stateUrl);

test('offboarding archives the member; a second run is a no-op with no mutation', async () => {
  env = await startApiEnv();
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'] });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect((await truth()).users.find((u) => u.email === 'jdoe@example.com')).toMatchObject({ isArchived: true, memberType: 'Creator' });
  const count = (await truth()).mutations.length;
  const again = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'] });
  expect(again.tasks[0]!.outcome).toBe('noop');
  expect((await truth()).mutations.length).toBe(count);
});

test('the token is cached across calls and fetched again after it expires', async () => {
  env = await startApiEnv();
  await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { sigma: 'Explorer' } });
  await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { sigma: 'Creator' } });
  expect((await truth()).tokensIssued).toBe(1);
  env.sigma.expireTokens();
  const job = await env.run({ kind: 'set-role', email: 'asmith@example.com', roles: { sigma: 'Viewer' } });
  expect(job.tasks[0]!.outcome).toBe('changed');
  expect((await truth()).tokensIssued).toBe(2);
});

test('a token close to expiry is refreshed before use', async () => {
  env = await startApiEnv({ sigma: { tokenTtlSeconds: 30 }, sigmaOptions: { tokenRefreshMarginSeconds: 60 } });
  await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'], dryRun: true });
  await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'], dryRun: true });
  // A 30 s token with a 60 s margin is never reused: each run fetched its own.
  expect((await truth()).tokensIssued).toBeGreaterThanOrEqual(2);
});

test('listing pages through more than 1,000 members with the cursor, each once', async () => {
  env = await startApiEnv({ sigma: { users: 2300 } });
  const driver = env.runtime.driver('sigma');
  const ctx = testContext();
  const seen = new Set<string>();
  let pages = 0;
  for await (const page of driver.listUsers(ctx, { includeInactive: true })) {
    pages += 1;
    for (const m of page) seen.add(m.id);
  }
  expect(pages).toBe(3);
  expect(seen.size).toBe((await truth()).users.length);
  const listCalls = ctx.evidence.items.filter((e) => e.kind === 'request' && e.url.includes('/members?'));
  expect(listCalls.every((e) => e.kind === 'request' && e.url.includes('limit=1000'))).toBe(true);
});

test('a batch with one unknown member type is refused before any member is created', async () => {
  env = await startApiEnv();
  const driver = env.runtime.driver('sigma');
  const specs = [
    { email: 'a1@example.com', firstName: 'A', lastName: 'One', role: 'Viewer' },
    { email: 'a2@example.com', firstName: 'A', lastName: 'Two', role: 'Wizard' },
  ];
  await expect(driver.validateProvision(specs, testContext())).rejects.toMatchObject({ code: 'ROLE_INVALID' });
  const job = await env.run({ kind: 'provision', email: 'a2@example.com', firstName: 'A', lastName: 'Two', roles: { sigma: 'Wizard' } });
  expect(job.tasks[0]!.error?.code).toBe('ROLE_INVALID');
  expect((await truth()).mutations).toHaveLength(0);
});

test('provision with a team adds the member after creating it; reactivation by PATCH', async () => {
  env = await startApiEnv();
  const job = await env.run({ kind: 'provision', email: 'nia@example.com', firstName: 'Nia', lastName: 'Ode', roles: { sigma: 'Explorer' }, teams: { sigma: ['Finance'] } });
  expect(job.tasks[0]!.outcome).toBe('changed');
  const state = await truth();
  const member = state.users.find((u) => u.email === 'nia@example.com')!;
  const kinds = state.mutations.filter((m) => m.userId === member.memberId).map((m) => `${m.method} ${m.path.replace(/[0-9a-f-]{36}/g, ':id')}`);
  expect(kinds[0]).toBe('POST /v2/members');
  expect(kinds[1]).toMatch(/^PATCH \/v2\/teams\/.+\/members$/);

  await env.run({ kind: 'offboard', email: 'nia@example.com', apps: ['sigma'] });
  const back = await env.run({ kind: 'provision', email: 'nia@example.com', firstName: 'Nia', lastName: 'Ode', roles: { sigma: 'Explorer' } });
  expect(back.tasks[0]!.detail).toContain('reactivate');
  expect((await truth()).users.find((u) => u.email === 'nia@example.com')).toMatchObject({ isArchived: false, memberType: 'Explorer' });
});

test('PATCH is partial: a role change keeps the names', async () => {
  env = await startApiEnv();
  await env.run({ kind: 'set-role', email: 'jdoe@example.com', roles: { sigma: 'Viewer' } });
  expect((await truth()).users.find((u) => u.email === 'jdoe@example.com')).toMatchObject({ memberType: 'Viewer', firstName: 'John', isArchived: false });
});

test('delete mode is refused: Sigma has no permanent delete', async () => {
  env = await startApiEnv();
  const job = await env.run({ kind: 'offboard', email: 'jdoe@example.com', apps: ['sigma'], mode: 'delete' });
  expect(job.tasks[0]!.error?.code).toBe('UNSUPPORTED');
  expect((await truth()).mutations).toHaveLength(0);
});
