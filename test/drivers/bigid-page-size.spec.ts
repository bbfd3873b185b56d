import { expect, test } from '@playwright/test';
import { groundTruth, startApiEnv, type ApiEnv } from '../support/api-env.js';
import { testContext } from '../support/evidence.js';

/**
 * BigID documents a default page of 50 and no maximum. A deployment may refuse a
 * large `limit` (400) or serve fewer users than asked without saying so; either way
 * the listing must hold exactly the users the app has, each once.
 */
let env: ApiEnv;
test.afterEach(async () => env?.close());

const truthIds = async () => (await groundTruth<{ users: { id: string }[] }>(env.bigid.stateUrl)).users.map((u) => u.id);
const listedIds = async (concurrency: number) => {
  const ids: string[] = [];
  for await (const page of env.runtime.driver('bigid').listUsers(testContext(), { includeInactive: true, concurrency })) ids.push(...page.map((u) => u.id));
  return ids;
};
const listRequests = () =>
  env.bigid.faults.requests.filter((r) => r.method === 'GET' && r.path === '/api/v1/users').map((r) => {
    const q = new URLSearchParams(r.query);
    return `${q.get('skip')}/${q.get('limit')}:${r.status}`;
  });

test('page size #C: a server that refuses limit=50 with 400 gets 25 a page, and every user once', async () => {
  env = await startApiEnv({ bigid: { users: 96, pageCap: 30, overLimit: 'refuse' } });
  const ids = await listedIds(1);
  expect(ids).toEqual(await truthIds());
  expect(ids).toHaveLength(100);
  expect(listRequests()).toEqual(['0/50:400', '0/25:200', '25/25:200', '50/25:200', '75/25:200']);
  // The size that worked is kept: the next listing asks for 25 straight away.
  const before = listRequests().length;
  expect(await listedIds(4)).toEqual(await truthIds());
  expect(listRequests().slice(before)).toEqual(['0/25:200', '25/25:200', '50/25:200', '75/25:200']);
});

test('page size #C: a server that silently serves 40 of 50 is followed from skip+40, nobody skipped', async () => {
  // The simulator's default: at most 40 a page, no error, no header.
  env = await startApiEnv({ bigid: { users: 96 } });
  const ids = await listedIds(3);
  expect(ids).toEqual(await truthIds());
  expect(ids).toHaveLength(100);
  expect([...listRequests()].sort()).toEqual(['0/50:200', '40/40:200', '80/40:200']);
});

test('page size #C: a configured page size above the cap still finds a user on the last page', async () => {
  env = await startApiEnv({ bigid: { users: 96, pageCap: 30, overLimit: 'refuse' }, bigidOptions: { pageSize: 200 } });
  const last = (await groundTruth<{ users: { id: string; email: string }[] }>(env.bigid.stateUrl)).users.at(-1)!;
  const found = await env.runtime.driver('bigid').findUser(last.email, testContext());
  expect(found?.id).toBe(last.id);
  // 200 → 100 → 50 → 25 refused-and-halved, then pages of 25 up to the last user.
  expect(listRequests()).toEqual(['0/200:400', '0/100:400', '0/50:400', '0/25:200', '25/25:200', '50/25:200', '75/25:200']);
});

test('page size #C: a page served short mid-listing is read on from skip+n, nobody skipped or repeated', async () => {
  env = await startApiEnv({ bigid: { users: 96 } });
  // The page at skip=40 comes back with 15 users instead of 40, totalCount unchanged.
  await fetch(`${env.bigid.url}/__fixture/listing`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ shortSkip: 40, shortCount: 15 }) });
  const ids = await listedIds(1);
  expect(ids).toEqual(await truthIds());
  expect(listRequests()).toEqual(['0/50:200', '40/40:200', '55/25:200', '80/40:200']);
});
