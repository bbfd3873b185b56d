import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SeatctlError } from '../../src/errors/index.js';
import { startScimEnv, type ScimEnv } from '../support/scim-env.js';
import { testContext } from '../support/evidence.js';
import { registerSecret } from '../support/scan-root.js';

/**
 * How the `scim2` driver writes, against the SCIMMY peer's store: PUT of the whole user
 * when the ServiceProviderConfig says PATCH is unsupported, If-Match when ETags are
 * offered (a stale version gets 412: re-read, then retry once or accept), DELETE only
 * when asked, and SCIM errors as typed errors without the token anywhere.
 */
let env: ScimEnv;
test.afterEach(async () => env?.close());

const userRequests = (e: ScimEnv) => e.proxy!.faults.requests.filter((r) => r.path.startsWith('/scim/v2/Users/')).map((r) => `${r.method} ${r.status}`);

test('patch.supported false: deactivate, reactivate and set-role go as PUT of the whole user; nothing else changes', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5, peer: { patch: false } });
  const driver = env.runtime.driver('scim');
  const before = (await env.peer!.state()).users.find((u) => u.userName === 'jdoe@example.com')!;
  const user = (await driver.findUser('jdoe@example.com', testContext()))!;

  const off = await driver.deactivate(user, testContext());
  expect(off.after?.status).toBe('inactive');
  const on = await driver.reactivate(off.after!, testContext());
  expect(on.after?.status).toBe('active');
  const role = await driver.setRole(on.after!, 'Auditor', testContext());
  expect(role.after?.role).toBe('Auditor');

  const state = await env.peer!.state();
  const after = state.users.find((u) => u.id === before.id)!;
  // Only the role changed in the end; names, emails and the id survived three full replacements.
  expect({ ...after, version: 0, lastModified: '', roles: undefined }).toEqual({ ...before, version: 0, lastModified: '', roles: undefined });
  expect(after.roles).toEqual([{ value: 'Auditor', primary: true }]);
  expect(state.mutations.filter((m) => m.userId === before.id).map((m) => `${m.method} ${m.body && (m.body as { active: boolean }).active}`)).toEqual(['PUT false', 'PUT true', 'PUT true']);
  // Each PUT was built from a fresh GET; no PATCH was ever sent.
  expect(userRequests(env)).toEqual(['GET 200', 'PUT 200', 'GET 200', 'GET 200', 'PUT 200', 'GET 200', 'GET 200', 'PUT 200', 'GET 200']);
});

test('ETags: a stale version gets 412, the driver re-reads and retries once with If-Match of the new one', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5, peer: { etag: true } });
  const driver = env.runtime.driver('scim');
  const user = (await driver.findUser('asmith@example.com', testContext()))!;
  expect((user.raw as { meta: { version: string } }).meta.version).toBe('W/"1"');
  await env.peer!.touchUser(user.id); // another admin changed something: version 2

  const result = await driver.deactivate(user, testContext());
  expect(result.after?.status).toBe('inactive');
  expect(result.notes.join(' ')).toContain('412');
  const state = await env.peer!.state();
  expect(state.users.find((u) => u.id === user.id)).toMatchObject({ active: false, version: 3 });
  expect(state.mutations.filter((m) => m.userId === user.id).map((m) => m.method)).toEqual(['PATCH']);
  // The 412 proves If-Match was sent: the peer refuses only a stale If-Match.
  expect(userRequests(env)).toEqual(['PATCH 412', 'GET 200', 'PATCH 200', 'GET 200']);
});

test('ETags: a 412 where the change is already in place (another admin did it) is accepted without writing again', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5, peer: { etag: true } });
  const driver = env.runtime.driver('scim');
  const user = (await driver.findUser('samlsam@example.com', testContext()))!;
  const res = await fetch(`${env.peer!.url}/Users/${user.id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${env.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] }),
  });
  expect(res.status).toBe(200);

  const result = await driver.deactivate(user, testContext());
  expect(result.after?.status).toBe('inactive');
  expect(result.notes.join(' ')).toContain('already in place');
  // One PATCH in the store: the other admin's. Ours was refused (412) and not repeated.
  expect((await env.peer!.state()).mutations.filter((m) => m.userId === user.id)).toHaveLength(1);
  expect(userRequests(env)).toEqual(['PATCH 412', 'GET 200']);
});

test('delete is DELETE and the read-back finds nobody; a server without delete answers 501 → UNSUPPORTED', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5 });
  const driver = env.runtime.driver('scim');
  expect(driver.capabilities.delete).toBe(true);
  const user = (await driver.findUser('samlsam@example.com', testContext()))!;
  const gone = await driver.delete(user, testContext());
  expect(gone).toMatchObject({ changed: true, after: null });
  expect((await env.peer!.state()).users.some((u) => u.id === user.id)).toBe(false);
  await env.close();

  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5, peer: { deleteSupported: false } });
  const other = (await env.runtime.driver('scim').findUser('samlsam@example.com', testContext()))!;
  const err = await env.runtime.driver('scim').delete(other, testContext()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SeatctlError);
  expect((err as SeatctlError).code).toBe('UNSUPPORTED');
  expect((err as SeatctlError).message).toContain('501');
  expect((await env.peer!.state()).users.some((u) => u.id === other.id)).toBe(true);
});

test('errors: a wrong token is AUTH_FAILED and appears nowhere; 429 RATE_LIMITED, 503 UPSTREAM_UNAVAILABLE, 409 CONFLICT', async () => {
  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5 });
  const wrong = 'wrong-scim-token-Zr81';
  registerSecret(wrong, 'wrong SCIM token');
  // Secrets are read on first use, so the file can still be swapped.
  await writeFile(path.join(env.dir, 'scim-token'), wrong, { mode: 0o600 });
  const ctx = testContext();
  const denied = await env.runtime.driver('scim').findUser('jdoe@example.com', ctx).catch((e: unknown) => e);
  expect((denied as SeatctlError).code).toBe('AUTH_FAILED');
  const recorded = JSON.stringify([(denied as Error).message, (denied as SeatctlError).details, ctx.evidence.items, env.logs]);
  expect(recorded).not.toContain(wrong);
  expect(recorded).not.toContain(env.token);
  await env.close();

  env = await startScimEnv({ target: 'peer', proxy: true, generated: 5 });
  const driver = env.runtime.driver('scim');
  env.proxy!.faults.enqueue({ kind: '429', pathPrefix: '/scim/v2/Users' });
  expect(((await driver.findUser('jdoe@example.com', testContext()).catch((e: unknown) => e)) as SeatctlError).code).toBe('RATE_LIMITED');
  env.proxy!.faults.enqueue({ kind: '503', pathPrefix: '/scim/v2/Users' });
  expect(((await driver.findUser('jdoe@example.com', testContext()).catch((e: unknown) => e)) as SeatctlError).code).toBe('UPSTREAM_UNAVAILABLE');
  // jdoe exists as an Admin: a provision asking for Viewer is a real conflict.
  const conflict = (await driver.provision({ email: 'JDOE@example.com', firstName: 'J', lastName: 'D', role: 'Viewer' }, testContext()).catch((e: unknown) => e)) as SeatctlError;
  expect(conflict.code).toBe('CONFLICT');
  expect((await env.peer!.state()).users.filter((u) => u.userName.toLowerCase() === 'jdoe@example.com')).toHaveLength(1);
});
