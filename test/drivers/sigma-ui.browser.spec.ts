import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { SigmaFile, SigmaMember } from '../../fixtures/sigma/index.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { loadConfigFile } from '../../src/config/load-config.js';
import type { DriverCallContext } from '../../src/drivers/driver.js';
import { SeatctlError } from '../../src/errors/index.js';
import { testContext } from '../support/evidence.js';
import { registerSecret, saveCapturedLogs } from '../support/scan-root.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';
import { createTestEngine, type TestEngine } from '../support/test-engine.js';

/**
 * Sigma's document hand-over in the admin console (`sigma-ui`): People → member →
 * Transfer ownership → Select new owner → Transfer, read back on the same page. Checked
 * on the simulator's ground truth (owners in /__fixture/state), not on what the driver
 * says, and on the evidence files themselves.
 */
test.describe.configure({ mode: 'serial' });

let env: SimEnv;
let engine: TestEngine;
const MANAGER = 'mia.manager@example.com';

interface Truth { users: SigmaMember[]; documents: SigmaFile[]; mutations: { method: string; path: string; userId: string }[] }
const truth = async (): Promise<Truth> => (await (await fetch(env.fixtures.sigma!.stateUrl)).json()) as Truth;
const memberId = (t: Truth, email: string) => t.users.find((u) => u.email === email)!.memberId;
const driver = () => engine.runtime.driver('sigma-console');

test.beforeAll(async () => {
  env = await startSimEnv(['sigma'], { simulators: { sigma: { users: 8 } } });
  const sim = env.fixtures.sigma!;
  // The manager who receives the documents: a Creator, so the picker offers them.
  sim.store.createMember({ email: MANAGER, memberType: 'Creator', firstName: 'Mia', lastName: 'Manager' });
  // A config with the console app beside the API one, its password in an owner-only file.
  const secretFile = path.join(env.dir, 'secrets', 'sigma-console-password');
  writeFileSync(secretFile, sim.consoleCredentials.password, { mode: 0o600 });
  registerSecret(sim.consoleCredentials.password, 'sigma console password');
  const config = JSON.parse(readFileSync(env.fixtures.configPath, 'utf8')) as { apps: Record<string, unknown> };
  config.apps['sigma-console'] = { driver: 'sigma-ui', baseUrl: sim.url, credentials: { email: sim.consoleCredentials.email, password: `file:${secretFile}` } };
  const configPath = path.join(env.dir, 'seatctl.sigma-console.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2), { mode: 0o600 });
  engine = createTestEngine(await loadConfigFile(configPath, builtInDrivers()));
});

test.afterAll(async () => {
  await engine?.runtime.close();
  if (engine) saveCapturedLogs(env.dir, engine.logs);
  await env?.close();
});

/** Every evidence file of a call: path on disk, bytes, and the hash it was recorded with. */
function files(ctx: DriverCallContext) {
  return ctx.evidence.items.flatMap((i) => (i.kind === 'screenshot' || i.kind === 'trace' || i.kind === 'html' ? [{ item: i, bytes: readFileSync(path.join(ctx.evidence.scratchDir, i.path)) }] : []));
}

test('hand-over moves exactly the member\'s documents to the new owner, with before/after screenshots of its own', async () => {
  const before = await truth();
  const jdoe = memberId(before, 'jdoe@example.com');
  const mia = memberId(before, MANAGER);
  const theirs = before.documents.filter((d) => d.ownerId === jdoe && d.name !== 'My Documents');
  expect(theirs.length).toBe(6); // 5 documents and the Drafts folder (seed)

  const user = await driver().findUser('jdoe@example.com', testContext());
  expect(user?.id).toBe(jdoe); // Sigma's memberId, as the API driver reports it
  const ctx = testContext();
  const result = await driver().transferOwnership!(user!, MANAGER, ctx);
  expect(result.changed).toBe(true);
  expect(result.notes.join('\n')).toContain(`5 document(s) of jdoe@example.com handed over to ${MANAGER}`);

  // Ground truth: every one of jdoe's files is Mia's now, in her Archived Users/John Doe; nothing else changed owner.
  const after = await truth();
  expect(after.documents.filter((d) => d.ownerId === jdoe && d.name !== 'My Documents')).toEqual([]);
  for (const d of theirs) expect(after.documents.find((x) => x.id === d.id)!.ownerId).toBe(mia);
  expect(after.documents.find((d) => d.name === 'Q3 revenue')!.path).toBe('My Documents/Archived Users/John Doe/Q3 revenue');
  const untouched = before.documents.filter((d) => d.ownerId !== jdoe);
  for (const d of untouched) expect(after.documents.find((x) => x.id === d.id)!.ownerId).toBe(d.ownerId);
  // The console hands documents over and nothing else: jdoe is still active, one change logged.
  expect(after.users.find((u) => u.memberId === jdoe)!.isArchived).toBe(false);
  expect(after.mutations.slice(before.mutations.length).map((m) => `${m.method} ${m.path}`)).toEqual([`POST /admin/people/${jdoe}/transfer`]);

  // Evidence: before, the confirmation, and after, written by this call into its own folder, hashes matching.
  const shots = files(ctx).filter((f) => f.item.kind === 'screenshot');
  const captions = shots.map((s) => s.item.caption);
  expect(captions.some((c) => c.startsWith('before: jdoe@example.com owns 5 document(s)'))).toBe(true);
  expect(captions.some((c) => c.startsWith(`hand 5 document(s) of jdoe@example.com over to ${MANAGER}`))).toBe(true);
  expect(captions.some((c) => /^after: 5 documents transferred to .*; jdoe@example\.com owns 0 document\(s\)$/.test(c))).toBe(true);
  for (const s of shots) {
    expect(s.item.path.startsWith('.') || s.item.path.includes('/')).toBe(false);
    expect(createHash('sha256').update(s.bytes).digest('hex')).toBe(s.item.sha256);
    expect([...s.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]); // JPEG
  }

  // The password is in no evidence text, file or log line.
  const password = env.fixtures.sigma!.consoleCredentials.password;
  const text = JSON.stringify(ctx.evidence.items) + engine.logs.join('\n');
  expect(text).not.toContain(password);
  for (const f of files(ctx)) expect(f.bytes.includes(Buffer.from(password))).toBe(false);
});

test('a member who owns nothing: no change, but the new owner is still checked', async () => {
  const ctx = testContext();
  const user = await driver().findUser('jdoe@example.com', ctx);
  const result = await driver().transferOwnership!(user!, MANAGER, ctx);
  expect(result.changed).toBe(false);
  const err = await driver().transferOwnership!(user!, 'nobody@example.com', testContext()).catch((e: unknown) => e);
  expect((err as SeatctlError).code).toBe('USER_NOT_FOUND');
});

test('an unknown or ineligible new owner is refused, naming the email, and nothing moves', async () => {
  const before = await truth();
  const user = await driver().findUser('asmith@example.com', testContext());
  const unknown = await driver().transferOwnership!(user!, 'nobody@example.com', testContext()).catch((e: unknown) => e);
  expect(unknown).toBeInstanceOf(SeatctlError);
  expect((unknown as SeatctlError).code).toBe('USER_NOT_FOUND');
  expect((unknown as SeatctlError).message).toContain('nobody@example.com');
  // samlsam is an Explorer: a member, offered but disabled in the picker.
  const viewer = await driver().transferOwnership!(user!, 'samlsam@example.com', testContext()).catch((e: unknown) => e);
  expect((viewer as SeatctlError).code).toBe('RULE_REFUSED');
  expect((viewer as SeatctlError).message).toContain('samlsam@example.com');
  const after = await truth();
  expect(after.documents).toEqual(before.documents);
  expect(after.mutations.length).toBe(before.mutations.length);
});

test('a dry run stops at the confirmation and moves nothing', async () => {
  const before = await truth();
  const user = await driver().findUser('asmith@example.com', testContext());
  const result = await driver().transferOwnership!(user!, MANAGER, testContext(true));
  expect(result.planned).toBe(true);
  expect(result.changed).toBe(false);
  expect((await truth()).documents).toEqual(before.documents);
});

test('a console session that ended mid-run is signed in again once, and the call goes on', async () => {
  const sim = env.fixtures.sigma!;
  const logins = async () => ((await (await fetch(sim.stateUrl)).json()) as { consoleLogins: number }).consoleLogins;
  const before = await logins();
  expect(sim.expireConsoleSessions()).toBeGreaterThan(0);
  const user = await driver().findUser('asmith@example.com', testContext());
  expect(user?.email).toBe('asmith@example.com');
  expect(await logins()).toBe(before + 1);
});

test('capabilities: hand-over only; everything else is UNSUPPORTED; the People page lists members with Sigma ids', async () => {
  const d = driver();
  expect(d.capabilities).toMatchObject({ provision: false, setRole: false, delete: false, reactivate: false, transferOwnership: true });
  const user = await d.findUser('asmith@example.com', testContext());
  for (const call of [() => d.deactivate(user!, testContext()), () => d.setRole(user!, 'Creator', testContext()), () => d.delete(user!, testContext())]) {
    expect(((await call().catch((e: unknown) => e)) as SeatctlError).code).toBe('UNSUPPORTED');
  }
  const listed: string[] = [];
  for await (const page of d.listUsers(testContext(), { includeInactive: true })) listed.push(...page.map((u) => `${u.id} ${u.email}`));
  const t = await truth();
  expect(listed.sort()).toEqual(t.users.map((u) => `${u.memberId} ${u.email}`).sort());
});
