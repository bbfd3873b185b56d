import { expect, test } from '@playwright/test';
import { SeatctlError } from '../../src/errors/index.js';
import type { AppUser } from '../../src/model/index.js';
import { serve } from '../../fixtures/common/http-server.js';
import { FaultInjector } from '../../fixtures/common/faults.js';
import { createRng } from '../../fixtures/common/rng.js';
import { startScimEnv, type ScimEnv } from '../support/scim-env.js';
import { testContext } from '../support/evidence.js';

/**
 * Index paging against the SCIMMY peer when it misbehaves the ways real servers do:
 * pages one user short before the end, a page cap below `count`, and a user created
 * mid-listing that shifts every later page (the same user served twice). Ground truth:
 * the peer's store. Everyone listed once, nobody skipped.
 */
let env: ScimEnv;
test.afterEach(async () => env?.close());

const startIndexes = (e: ScimEnv) =>
  e.proxy!.faults.requests.filter((r) => r.method === 'GET' && r.path === '/scim/v2/Users' && !new URLSearchParams(r.query).has('filter')).map((r) => {
    const q = new URLSearchParams(r.query);
    return { startIndex: Number(q.get('startIndex')), count: Number(q.get('count')) };
  });

test('short pages and a user created mid-listing: every user once, the repeated one dropped by id', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 40, peer: { shortPages: true }, options: { pageSize: 10 } });
  const before = (await env.peer!.state()).users.map((u) => u.id);
  const driver = env.runtime.driver('scim');
  const pages: AppUser[][] = [];
  let total: number | undefined;
  for await (const page of driver.listUsers(testContext(), { includeInactive: true, onTotal: (n) => (total = n) })) {
    pages.push(page);
    // After the first page, another admin creates someone whose name sorts first.
    if (pages.length === 1) await env.peer!.insertUser({ userName: 'aaa.early@example.com', roles: [{ value: 'Viewer', primary: true }] });
  }
  const ids = pages.flat().map((u) => u.id);
  expect(new Set(ids).size, 'no user listed twice').toBe(ids.length);
  expect([...ids].sort(), 'everyone who existed when the listing began, nobody skipped').toEqual([...before].sort());
  expect(total).toBe(before.length);

  // The server really did misbehave: pages were short (9 of 10 asked) …
  const asked = startIndexes(env);
  expect(pages[0]!.length).toBe(9);
  expect(asked[1]!.startIndex).toBe(10);
  // … and after the insert its second page began with the last user of the first.
  const after = (await env.peer!.state()).users;
  expect(after[asked[1]!.startIndex - 1]!.id).toBe(pages[0]![8]!.id);
});

test('a server that caps the page below count: itemsPerPage is followed, everyone listed', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 30, peer: { maxPageSize: 7 }, options: { pageSize: 25 } });
  const truth = await env.users();
  const listed: AppUser[] = [];
  for await (const page of env.runtime.driver('scim').listUsers(testContext(), { includeInactive: true })) listed.push(...page);
  expect(listed.map((u) => u.id).sort()).toEqual(truth.map((u) => u.id).sort());
  const asked = startIndexes(env);
  expect(asked[0]).toEqual({ startIndex: 1, count: 25 });
  expect(asked.slice(1).every((a) => a.count === 7)).toBe(true);
  expect(asked.map((a) => a.startIndex)).toEqual(Array.from({ length: Math.ceil(truth.length / 7) }, (_, i) => 1 + 7 * i));

  // Active only: the deactivated ones (ground truth) are left out.
  const active: AppUser[] = [];
  for await (const page of env.runtime.driver('scim').listUsers(testContext(), { includeInactive: false })) active.push(...page);
  expect(active.map((u) => u.id).sort()).toEqual(truth.filter((u) => u.active).map((u) => u.id).sort());
  expect(truth.some((u) => !u.active), 'the seed has deactivated users').toBe(true);
});

test('a server that ignores startIndex (the first page again and again) fails the listing instead of looping', async () => {
  const users = Array.from({ length: 3 }, (_, i) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: `u${i}`, userName: `u${i}@example.com`, active: true }));
  // A real local server with the bug: it always serves the first page and says there are 9.
  const faults = new FaultInjector(createRng(1));
  const broken = await serve({
    routes: [{ method: 'GET', pattern: '/scim/v2/Users', handler: () => ({ status: 200, body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 9, startIndex: 1, itemsPerPage: 3, Resources: users } }) }],
    faults,
    state: () => ({}),
  });
  try {
    env = await startScimEnv({ target: 'url', upstream: broken.url, options: { pageSize: 3 } });
    const listed: AppUser[] = [];
    const err = await (async () => {
      for await (const page of env.runtime.driver('scim').listUsers(testContext(), { includeInactive: true })) listed.push(...page);
    })().catch((e: unknown) => e);
    expect((err as SeatctlError).code).toBe('UPSTREAM_REJECTED');
    expect((err as Error).message).toContain('ignore startIndex');
    expect(listed.map((u) => u.id)).toEqual(['u0', 'u1', 'u2']);
    // First page, then two pages of nobody new: three requests, not an endless loop.
    expect(faults.requests.map((r) => new URLSearchParams(r.query).get('startIndex'))).toEqual(['1', '4', '7']);
  } finally {
    await broken.close();
  }
});
