import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, expect, type Page } from '@playwright/test';
import { csrfOf, PEOPLE, startConsoleEnv, type ConsoleEnv } from './console-env.js';

/**
 * Issue 13 item 3 (web console), in real Chromium against `serve`'s app on loopback:
 * the walk-through as requester, approver and auditor, and the guards around it.
 */
test.describe.configure({ mode: 'serial' });

let c: ConsoleEnv;
const SHOTS = path.join('test-results', 'console-screens');

test.beforeAll(async () => {
  // A little latency on every BigID call keeps a job running long enough to be watched.
  c = await startConsoleEnv({ bigid: { faults: { latencyMs: 150 }, users: 150 } });
});
test.afterAll(async () => c?.close());

async function submitViaApi(email = 'jdoe@example.com') {
  const r = await c.api('POST', '/v1/jobs', 'alice', { kind: 'offboard', email, apps: ['bigid'], requireApproval: true });
  expect(r.status, r.text).toBe(202);
  return (await c.env.waitFor(r.json.job.id, ['awaiting_approval'])) as { id: string; planHash: string };
}

/** The console's own checks on every page: strict CSP, no inline script or style, no token. */
async function checkPage(page: Page, url: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(200);
  const csp = res!.headers()['content-security-policy'] ?? '';
  for (const d of ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "form-action 'self'"]) expect(csp, url).toContain(d);
  expect(csp).not.toContain('unsafe-inline');
  expect(await page.locator('script:not([src])').count(), `inline scripts on ${url}`).toBe(0);
  expect(await page.locator('[style]').count(), `style attributes on ${url}`).toBe(0);
  const content = await page.content();
  for (const p of Object.values(PEOPLE)) expect(content).not.toContain(p.token);
}

test('sign in with a token: HttpOnly SameSite=Strict session cookie, a wrong token refused and never echoed, sign-out ends the session', async () => {
  const context = await c.browser.newContext({ baseURL: c.base });
  const page = await context.newPage();
  await page.goto('/jobs');
  await expect(page).toHaveURL(/\/sign-in$/);
  const wrong = 'not-a-real-token-0000000000000';
  await page.getByLabel('Token').fill(wrong);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('That token is not valid.')).toBeVisible();
  expect(await page.content()).not.toContain(wrong);
  await page.screenshot({ path: path.join(SHOTS, 'sign-in.png'), fullPage: true });

  await page.getByLabel('Token').fill(PEOPLE.bob.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(page.getByText('Signed in as')).toContainText('bob');
  const cookie = (await context.cookies()).find((k) => k.name === 'seatctl-session');
  expect(cookie, 'session cookie').toBeTruthy();
  expect(cookie!.httpOnly).toBe(true);
  expect(cookie!.sameSite).toBe('Strict');
  expect(cookie!.secure).toBe(false); // plain HTTP on loopback; `__Host-` + Secure over HTTPS
  expect(cookie!.value).not.toContain(PEOPLE.bob.token);
  // The API does not take the cookie: only the bearer header opens /v1.
  expect((await page.request.get('/v1/jobs')).status()).toBe(401);

  const live = c.env.service.app;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  // The old cookie, replayed, is dead: the session ended on the server.
  const replay = await live.inject({ method: 'GET', url: '/jobs', headers: { cookie: `seatctl-session=${cookie!.value}` } });
  expect(replay.statusCode).toBe(303);
  expect(replay.headers.location).toBe('/sign-in');
  await context.close();
});

test('a requester submits in the console; an approver approves and watches it finish live; the auditor sees it', async () => {
  const alice = await c.signIn('alice');
  await alice.page.getByLabel('Email').first().fill('jdoe@example.com');
  await alice.page.getByLabel('sigma').uncheck();
  await alice.page.getByRole('button', { name: 'Submit' }).click();
  await expect(alice.page.getByText('Job submitted.')).toBeVisible();
  const jobId = /\/jobs\/([^/?]+)/.exec(alice.page.url())![1]!;
  // Planning finishes while the page is open: the status arrives over server-sent events.
  await expect(alice.page.locator('#job-status')).toHaveText('awaiting_approval');
  await expect(alice.page.getByRole('button', { name: 'Approve this plan' })).toHaveCount(0);
  const stored = await c.env.service.engine.process(jobId);
  expect(stored.meta.requestedBy).toBe('token:alice');

  const bob = await c.signIn('bob');
  const row = bob.page.locator('tr', { has: bob.page.locator(`a[href="/jobs/${jobId}"]`) });
  await expect(row).toContainText('awaiting_approval');
  await expect(row).toContainText('jdoe@example.com');
  await expect(row).toContainText('token:alice');
  await bob.page.screenshot({ path: path.join(SHOTS, 'jobs.png'), fullPage: true });

  // Tab A watches; tab B approves. A must change without a reload.
  const watch = bob.page;
  await watch.goto(`/jobs/${jobId}`);
  await expect(watch.locator('#live')).toHaveText('live');
  await expect(watch.locator('[data-plan-hash]')).toHaveText(stored.planHash!);
  // The plan as before → change for the person.
  await expect(watch.locator('[data-task-id] [data-field=before]')).toHaveText('Admin · active');
  await expect(watch.locator('[data-task-id] [data-field=change]')).toContainText('deactivate');
  await watch.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
  await watch.screenshot({ path: path.join(SHOTS, 'job-awaiting.png'), fullPage: true });

  const act = await bob.context.newPage();
  await act.goto(`/jobs/${jobId}`);
  expect(await act.locator('form[action$="/approve"] input[name=planHash]').inputValue()).toBe(stored.planHash);
  await act.getByRole('button', { name: 'Approve this plan' }).click();
  await expect(act.getByText('Approved. The job runs now.')).toBeVisible();

  await expect(watch.locator('#job-status')).toHaveText('succeeded');
  await expect(watch.locator('[data-verify]')).toHaveAttribute('data-verify', 'ok');
  await expect(watch.locator('[data-task-id] [data-field=outcome]')).toHaveText('changed');
  await expect(watch.locator('[data-task-id] [data-field=after]')).toHaveText('Admin · inactive');
  expect(await watch.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  await watch.screenshot({ path: path.join(SHOTS, 'job-finished.png'), fullPage: true });
  // Ground truth: the simulator's account is disabled, and the approval names bob.
  expect(c.env.bigid.store.findByEmail('jdoe@example.com')?.isEnabled).toBe(false);
  expect((await c.env.service.engine.process(jobId)).approvedBy).toBe('token:bob');
  // The event stream let go of its subscription when the job ended.
  expect(c.env.service.app.server.listening).toBe(true);

  const carol = await c.signIn('carol');
  await carol.page.goto(`/jobs/${jobId}`);
  await expect(carol.page.locator('#job-status')).toHaveText('succeeded');
  await expect(carol.page.locator('form[method=post]:not([action="/sign-out"])')).toHaveCount(0);
  for (const s of [alice, bob, carol]) await s.context.close();
});

test('the requester sees no Approve on their own job and gets 403 posting it anyway, even as an admin', async () => {
  // alice is only a requester: refused by role.
  const job = await submitViaApi('asmith@example.com');
  const alice = await c.signIn('alice');
  await alice.page.goto(`/jobs/${job.id}`);
  await expect(alice.page.locator('form[action$="/approve"]')).toHaveCount(0);
  const hash = (await c.env.service.engine.process(job.id)).planHash!;
  const asAlice = await alice.page.request.post(`/jobs/${job.id}/approve`, { form: { _csrf: await csrfOf(alice.page), planHash: hash }, headers: { origin: c.base }, maxRedirects: 0 });
  expect(asAlice.status()).toBe(403);

  // dana (admin: may approve) requested this one herself: no Approve, and 403 when posted.
  const dana = await c.signIn('dana');
  await dana.page.getByLabel('Email').first().fill('asmith@example.com');
  await dana.page.getByLabel('sigma').uncheck();
  await dana.page.getByRole('button', { name: 'Submit' }).click();
  await expect(dana.page.locator('#job-status')).toHaveText('awaiting_approval');
  const own = /\/jobs\/([^/?]+)/.exec(dana.page.url())![1]!;
  await expect(dana.page.getByText('You requested this job')).toBeVisible();
  await expect(dana.page.locator('form[action$="/approve"]')).toHaveCount(0);
  const ownHash = (await c.env.service.engine.process(own)).planHash!;
  const asDana = await dana.page.request.post(`/jobs/${own}/approve`, { form: { _csrf: await csrfOf(dana.page), planHash: ownHash }, headers: { origin: c.base }, maxRedirects: 0 });
  expect(asDana.status()).toBe(403);
  expect(await asDana.text()).toContain('another approver must approve');
  expect((await c.env.service.engine.process(own)).job.status).toBe('awaiting_approval');
  await c.env.service.engine.cancel(job.id, 'test');
  await c.env.service.engine.cancel(own, 'test');
  await alice.context.close();
  await dana.context.close();
});

test('an auditor sees everything and can change nothing: no buttons, 403 on every POST', async () => {
  const job = await submitViaApi('samlsam@example.com');
  const carol = await c.signIn('carol');
  await expect(carol.page.locator('form[method=post][action="/jobs"]')).toHaveCount(0);
  await carol.page.goto(`/jobs/${job.id}`);
  await expect(carol.page.locator('#job-status')).toHaveText('awaiting_approval');
  await expect(carol.page.locator('form[method=post]:not([action="/sign-out"])')).toHaveCount(0);
  await carol.page.screenshot({ path: path.join(SHOTS, 'job-auditor.png'), fullPage: true });
  const csrf = await csrfOf(carol.page);
  for (const [url, form] of [
    [`/jobs/${job.id}/approve`, { planHash: job.planHash }],
    [`/jobs/${job.id}/reject`, { planHash: job.planHash, reason: 'no' }],
    [`/jobs/${job.id}/undo`, {}],
    ['/jobs', { email: 'x@example.com', apps: 'bigid' }],
  ] as const) {
    const r = await carol.page.request.post(url, { form: { _csrf: csrf, ...form }, headers: { origin: c.base }, maxRedirects: 0 });
    expect(r.status(), url).toBe(403);
  }
  expect((await c.env.service.engine.process(job.id)).job.status).toBe('awaiting_approval');
  await c.env.service.engine.cancel(job.id, 'test');
  await carol.context.close();
});

test('a cross-site POST is refused: foreign Origin, and a same-site POST without the CSRF token', async () => {
  const job = await submitViaApi('jdoe@example.com');
  const bob = await c.signIn('bob');
  // A page on another origin (another port) that posts the approval form to the console.
  const evil = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(`<form method="post" action="${c.base}/jobs/${job.id}/approve"><input name="planHash" value="${job.planHash}"><button>go</button></form>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  const evilPage = await bob.context.newPage();
  await evilPage.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
  const [response] = await Promise.all([evilPage.waitForResponse((r) => r.url().endsWith('/approve')), evilPage.getByRole('button', { name: 'go' }).click()]);
  expect(response.status()).toBe(403);
  expect(await response.text()).toContain('ORIGIN_REFUSED');
  evil.close();

  // Same origin and signed in, but no token: refused.
  const noToken = await bob.page.request.post(`/jobs/${job.id}/approve`, { form: { planHash: job.planHash }, headers: { origin: c.base }, maxRedirects: 0 });
  expect(noToken.status()).toBe(403);
  expect(await noToken.text()).toContain('CSRF');
  const wrongToken = await bob.page.request.post(`/jobs/${job.id}/approve`, { form: { planHash: job.planHash, _csrf: 'x'.repeat(43) }, headers: { origin: c.base }, maxRedirects: 0 });
  expect(wrongToken.status()).toBe(403);
  expect((await c.env.service.engine.process(job.id)).job.status).toBe('awaiting_approval');
  await c.env.service.engine.cancel(job.id, 'test');
  await bob.context.close();
});

test('another job is rejected with a reason', async () => {
  const job = await submitViaApi('asmith@example.com');
  const bob = await c.signIn('bob');
  await bob.page.goto(`/jobs/${job.id}`);
  await bob.page.getByLabel('Reason for rejecting').fill('not approved by HR');
  await bob.page.getByRole('button', { name: 'Reject' }).click();
  await expect(bob.page.getByText('Rejected.')).toBeVisible();
  const after = await c.env.service.engine.process(job.id);
  expect(after.job.status).toBe('cancelled');
  expect(after.decisions.find((d) => d.decision === 'reject')).toMatchObject({ by: 'token:bob', reason: 'not approved by HR', planHash: job.planHash });
  expect(c.env.bigid.store.findByEmail('asmith@example.com')?.isEnabled).toBe(true);
  await bob.context.close();
});

let reviewJob = '';
test('reviews: a review job\'s rows with filters by app and email, and paging', async () => {
  const r = await c.api('POST', '/v1/jobs', 'alice', { kind: 'review', apps: ['bigid', 'sigma'] });
  expect(r.status, r.text).toBe(202);
  reviewJob = (await c.env.waitFor(r.json.job.id, ['succeeded', 'failed'])).id;
  const truth = c.env.bigid.store.all().filter((u) => u.isEnabled).length;
  const carol = await c.signIn('carol');
  await carol.page.goto(`/jobs/${reviewJob}`);
  await carol.page.getByRole('link', { name: 'Review rows →' }).click();
  await carol.page.getByLabel('App').selectOption('bigid');
  await carol.page.getByRole('button', { name: 'Filter' }).click();
  // As many rows as the simulator has active accounts (the review leaves out inactive ones by default).
  await expect(carol.page.locator('[data-review-total]')).toHaveAttribute('data-review-total', String(truth));
  expect(truth).toBeGreaterThan(100);
  await expect(carol.page.locator('tbody tr')).toHaveCount(100);
  await carol.page.screenshot({ path: path.join(SHOTS, 'review.png'), fullPage: true });
  await carol.page.getByRole('link', { name: 'Next →' }).click();
  await expect(carol.page.locator('tbody tr')).toHaveCount(truth - 100);
  await expect(carol.page.locator('tbody tr td:first-child').first()).toHaveText('bigid');
  await carol.page.getByLabel('Email').fill('jdoe@');
  await carol.page.getByLabel('App').selectOption('');
  await carol.page.getByRole('button', { name: 'Filter' }).click();
  // jdoe is in sigma only now (bigid's account was disabled above).
  await expect(carol.page.locator('tbody tr td:nth-child(2)')).toHaveText(['jdoe@example.com']);
  await carol.context.close();
});

test('every page has a strict CSP, no inline script or style, and no token in it', async () => {
  const dana = await c.signIn('dana');
  const jobs = await c.api('GET', '/v1/jobs', 'dana');
  const anyJob = jobs.json.jobs[0].id as string;
  for (const url of ['/jobs', '/jobs?status=succeeded&email=jdoe%40example.com', `/jobs/${anyJob}`, `/jobs/${reviewJob}/review?app=sigma`]) await checkPage(dana.page, url);
  await dana.context.close();
  const anon = await c.browser.newContext({ baseURL: c.base });
  await checkPage(await anon.newPage(), '/sign-in');
  await anon.close();
});

test('the submit form\'s "Transfer documents to": a bad recipient or an app set that cannot hand over is refused naming transferTo, and no job is stored', async () => {
  const alice = await c.signIn('alice');
  const jobsBefore = (await c.api('GET', '/v1/jobs', 'alice')).json.jobs.length;
  const submit = async (transferTo: string) => {
    await alice.page.goto('/jobs');
    await alice.page.getByLabel('Email').first().fill('jdoe@example.com');
    await alice.page.getByLabel('Transfer documents to').fill(transferTo);
    const [res] = await Promise.all([alice.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/jobs'), alice.page.getByRole('button', { name: 'Submit' }).click()]);
    return res.status();
  };
  // The leaver themself (the browser's own type=email check passes: it is an address).
  expect(await submit('JDoe@example.com')).toBe(400);
  await expect(alice.page.getByText(/transferTo: JDoe@example\.com is the person being offboarded/)).toBeVisible();
  // A well-formed recipient, but neither BigID nor Sigma's API driver can hand documents over here.
  expect(await submit('boss@example.com')).toBe(400);
  await expect(alice.page.getByText(/transferTo: none of .* has a driver that can hand documents over/)).toBeVisible();
  // The refused form comes back as it was typed: fix one field, not all of them.
  await expect(alice.page.getByLabel('Email').first()).toHaveValue('jdoe@example.com');
  await expect(alice.page.getByLabel('Transfer documents to')).toHaveValue('boss@example.com');
  await expect(alice.page.getByLabel('require approval')).toBeChecked();
  await expect(alice.page.getByLabel('dry run')).not.toBeChecked();
  // Unticked boxes stay unticked.
  await alice.page.getByLabel('require approval').uncheck();
  await alice.page.getByLabel('dry run').check();
  const firstApp = alice.page.locator('input[name=apps]').first();
  await firstApp.uncheck();
  const [again] = await Promise.all([alice.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/jobs'), alice.page.getByRole('button', { name: 'Submit' }).click()]);
  expect(again.status()).toBe(400);
  await alice.page.waitForLoadState();
  await expect(alice.page.getByLabel('require approval')).not.toBeChecked();
  await expect(alice.page.getByLabel('dry run')).toBeChecked();
  await expect(alice.page.locator('input[name=apps]').first()).not.toBeChecked();
  await alice.page.screenshot({ path: path.join(SHOTS, 'submit-transfer-refused.png'), fullPage: true });
  expect((await c.api('GET', '/v1/jobs', 'alice')).json.jobs.length).toBe(jobsBefore);
  await alice.context.close();
});
