import { expect, test } from '@playwright/test';
import { groundTruth } from '../support/api-env.js';
import { testContext } from '../support/evidence.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import type { AppUser } from '../../src/model/index.js';

/**
 * Issue 16, Stitch at 10,000 rows: a listing reads the rows from the data the Team
 * Members page loaded for its table (not by laying the table out), and falls back to
 * reading the drawn table when that data is not where or how the flow expects it.
 * Both paths must give the simulator's ground truth exactly.
 */
let env: SimEnv;
test.beforeAll(async () => {
  // The longest locator timeout config allows, as long as a browser test may run: a
  // listing that sits out a wait for something that never comes fails the test instead
  // of passing late.
  env = await startSimEnv(['stitch'], { users: 1500, appConfig: { stitch: { options: { locatorTimeoutMs: 120_000 } } } });
});
test.afterAll(async () => {
  await env?.close();
});

async function listAll(): Promise<{ users: AppUser[]; notes: string[] }> {
  const ctx = testContext();
  const users: AppUser[] = [];
  for await (const page of env.runtime.driver('stitch').listUsers(ctx)) users.push(...page);
  const notes = ctx.evidence.items.flatMap((i) => (i.kind === 'note' ? [i.text] : []));
  return { users, notes };
}

async function truth(): Promise<string[]> {
  const state = await groundTruth<{ users: { email: string; status: string; role: string }[] }>(env.fixtures.apps.stitch!.stateUrl);
  return state.users
    .filter((u) => u.status !== 'Deactivated')
    .map((u) => `${u.email.toLowerCase()}|${u.status === 'Invited' ? 'invited' : 'active'}|${u.role}`)
    .sort();
}
const seen = (users: AppUser[]) => users.map((u) => `${u.email.toLowerCase()}|${u.status}|${u.role}`).sort();

test('from the page\'s own data: every active and invited member with role and status, nobody deactivated, no fallback note', async () => {
  const expected = await truth();
  expect(expected.length).toBeGreaterThan(1400);
  const from = env.fixtures.stitch!.faults.requests.length;
  const { users, notes } = await listAll();
  expect(seen(users)).toEqual(expected);
  expect(notes.join('\n')).not.toContain('read from the table');
  // The page's team request is sent once, in its session (the server answered it 200),
  // and not sent again by the page after the flow read the answer.
  const team = env.fixtures.stitch!.faults.requests.slice(from).filter((r) => r.path === '/api/team');
  expect(team.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200']);

  // The next listing runs on the signed-in page the first one gave back (blank): no new
  // browser context, no sign-in, the same rows.
  const contexts = env.consoleRuntime.pool.stats.contexts;
  const logins = env.consoleRuntime.logins.get('stitch');
  const again = await listAll();
  expect(seen(again.users)).toEqual(expected);
  expect(env.consoleRuntime.pool.stats.contexts - contexts).toBe(0);
  expect(env.consoleRuntime.logins.get('stitch')).toBe(logins);
});

test('the rows really come from the page\'s data: after a redesign that renames the drawn table (layout v2), where reading the table would fail, the listing is still exact', async () => {
  env.fixtures.stitch!.setLayout('v2');
  try {
    const expected = await truth();
    const { users, notes } = await listAll();
    expect(seen(users)).toEqual(expected);
    expect(notes.join('\n')).not.toContain('read from the table');
  } finally {
    env.fixtures.stitch!.setLayout('v1');
  }
});

test('when the page\'s data moved (a console update), the drawn table is read instead: the same members, and the task says so', async () => {
  env.fixtures.stitch!.setTeamDataKey('people');
  try {
    const expected = await truth();
    const { users, notes } = await listAll();
    expect(seen(users)).toEqual(expected);
    expect(notes.join('\n')).toContain('the rows were read from the table instead');
  } finally {
    env.fixtures.stitch!.setTeamDataKey('members');
  }
});

test('when the page fetches its team from another address (a console update), the drawn table is read as soon as it shows: nothing waits for the old call', async () => {
  env.fixtures.stitch!.setTeamDataPath('/api/v2/team');
  try {
    const expected = await truth();
    const from = env.fixtures.stitch!.faults.requests.length;
    const { users, notes } = await listAll();
    expect(seen(users)).toEqual(expected);
    // The table came from the moved call, which the page made once; the old one was never asked.
    const asked = env.fixtures.stitch!.faults.requests.slice(from).map((r) => r.path);
    expect(asked.filter((p) => p === '/api/v2/team')).toHaveLength(1);
    expect(asked).not.toContain('/api/team');
    expect(notes.join('\n')).not.toContain('not in the expected shape');
  } finally {
    env.fixtures.stitch!.setTeamDataPath('/api/team');
  }
});
