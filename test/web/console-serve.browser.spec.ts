import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect, chromium, type Browser } from '@playwright/test';
import { groundTruth, startApiEnv, writeCliConfig, type ApiEnv } from '../support/api-env.js';
import { registerSecret } from '../support/scan-root.js';
import { serveProcess, type ServeProcess } from '../support/serve-process.js';

/**
 * Issue 13 (how it will be checked): the walk-through against `seatctl serve` itself,
 * as a process with its config's principals — not the in-process app the other console
 * tests use — so the wiring serve does (principals, console sessions, the SSO link only
 * when OIDC is configured) is what the browser meets.
 */
test.describe.configure({ mode: 'serial' });

const PEOPLE = {
  alice: { roles: ['requester'], token: 'alice-serve-requester-token-01' },
  bob: { roles: ['approver'], token: 'bob-serve-approver-token-0002' },
  carol: { roles: ['auditor'], token: 'carol-serve-auditor-token-003' },
} as const;
type Who = keyof typeof PEOPLE;

let env: ApiEnv;
let serve: ServeProcess;
let browser: Browser;

test.beforeAll(async () => {
  env = await startApiEnv();
  for (const [name, p] of Object.entries(PEOPLE)) {
    registerSecret(p.token, `serve console token of ${name}`);
    writeFileSync(path.join(env.dir, `${name}.token`), p.token, { mode: 0o600 });
  }
  const config = writeCliConfig(env, {
    name: 'serve-console.config.json',
    dataDir: 'serve-console-data',
    extra: { service: { principals: Object.entries(PEOPLE).map(([name, p]) => ({ name, roles: p.roles, token: `file:${name}.token` })) } },
  });
  serve = await serveProcess(config, null);
  browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: ['--disable-gpu', '--no-first-run'] });
});
test.afterAll(async () => {
  await browser?.close();
  serve?.child.kill('SIGTERM');
  await serve?.exited;
  await env?.close();
});

async function signIn(who: Who) {
  const context = await browser.newContext({ baseURL: serve.url });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page).toHaveURL(/\/sign-in$/);
  // No service.oidc in this config: no SSO link.
  await expect(page.getByRole('link', { name: /SSO/i })).toHaveCount(0);
  await page.getByLabel('Token').fill(PEOPLE[who].token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  return { context, page };
}

const api = async (who: Who, method: string, p: string, body?: unknown) => {
  const res = await fetch(serve.url + p, { method, headers: { authorization: `Bearer ${PEOPLE[who].token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, json: (await res.json()) as any };
};

test('issue 13: requester submits, the requester sees no Approve, the auditor cannot act, the approver approves — on seatctl serve', async () => {
  const submitted = await api('alice', 'POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
  expect(submitted.status).toBe(202);
  const id = submitted.json.job.id as string;
  await expect.poll(async () => (await api('carol', 'GET', `/v1/jobs/${id}`)).json.job.status, { timeout: 30_000 }).toBe('awaiting_approval');
  const hash = (await api('carol', 'GET', `/v1/jobs/${id}`)).json.job.planHash as string;

  const alice = await signIn('alice');
  await alice.page.goto(`/jobs/${id}`);
  await expect(alice.page.getByText('token:alice').first()).toBeVisible();
  await expect(alice.page.getByRole('button', { name: 'Approve' })).toHaveCount(0);
  // The API refuses her too, whatever the page shows.
  expect((await api('alice', 'POST', `/v1/jobs/${id}/approve`, { planHash: hash })).status).toBe(403);
  await alice.context.close();

  const carol = await signIn('carol');
  await carol.page.goto(`/jobs/${id}`);
  await expect(carol.page.getByRole('button')).toHaveText(['Sign out']);
  await carol.context.close();

  const bob = await signIn('bob');
  await bob.page.goto(`/jobs/${id}`);
  await expect(bob.page.getByText(hash).first()).toBeVisible();
  await bob.page.getByRole('button', { name: 'Approve' }).click();
  await expect(bob.page.locator('#job-status')).toHaveText('succeeded', { timeout: 60_000 });
  await bob.context.close();

  const done = (await api('carol', 'GET', `/v1/jobs/${id}`)).json.job;
  expect(done.requestedBy).toBe('token:alice');
  expect(done.approval.approvals.map((a: { by: string }) => a.by)).toEqual(['token:bob']);
  // Ground truth: the simulator's account is disabled, once.
  const truth = await groundTruth(env.bigid.stateUrl);
  expect(truth.users.find((u) => u.email === 'jdoe@example.com')?.isEnabled).toBe(false);
  expect(truth.mutations.filter((m) => m.method === 'PUT')).toHaveLength(1);
});
