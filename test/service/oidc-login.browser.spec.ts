import { test, expect } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright';
import { registerOidcLogin } from '../../src/auth/oidc-login.js';
import { createConsoleSessions } from '../../src/web/console-sessions.js';
import type { Principal } from '../../src/auth/principal.js';
import type { SessionIssuer } from '../../src/auth/session-issuer.js';
import { LAUNCH_ARGS } from '../../src/browser/resolve-chromium.js';
import { oidcConfigSchema } from '../../src/config/oidc-schema.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { startLocalIdp, type LocalIdp } from '../support/oidc-provider-idp.js';
import { registerSecret, saveCapturedLogs, scanRoot } from '../support/scan-root.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue 13 item 3 (OIDC sign-in to the console): authorization code + PKCE against a
 * real OpenID Provider on loopback, driven in real Chromium through the provider's
 * login and consent pages, ending in a session of the web console's own store (wrapped
 * here only to record who signed in).
 */
test.describe.configure({ mode: 'serial' });

let idp: LocalIdp;
let env: ServiceEnv;
let serviceUrl = '';
let browser: Browser;
const signedIn: Principal[] = [];
const issuedSessions = new Set<string>();
const consoleSessions = createConsoleSessions();
const logs: string[] = [];
const log = createLogger({ redactor: createRedactor(), level: 'debug', destination: { write: (line: string) => void logs.push(line) } });

const sessions: SessionIssuer = {
  async signIn(reply, principal) {
    signedIn.push(principal);
    await consoleSessions.signIn(reply, principal);
    // The reply may also clear the state cookie: pick the console's session cookie out.
    const header = reply.getHeader('set-cookie');
    const id = /(?:^|[\s,])(?:__Host-)?seatctl-session=([^;,\s]+)/.exec(([] as unknown[]).concat(header ?? []).join(', '))?.[1];
    expect(id, 'the console set its session cookie').toBeTruthy();
    issuedSessions.add(id!);
    registerSecret(id!, 'console session from OIDC sign-in');
  },
};

test.beforeAll(async () => {
  idp = await startLocalIdp({
    accounts: {
      alice: { email: 'alice@example.com', groups: ['seatctl-requesters'] },
      bob: { email: 'bob@example.com', groups: ['seatctl-approvers', 'seatctl-auditors'] },
      mallory: { email: 'mallory@example.com', groups: ['marketing'] },
    },
    redirectUris: () => [`${serviceUrl}/auth/oidc/callback`],
  });
  const oidc = oidcConfigSchema.parse({
    issuer: idp.issuer,
    audience: 'api://seatctl',
    rolesClaim: 'groups',
    roleMap: { 'seatctl-requesters': 'requester', 'seatctl-approvers': 'approver', 'seatctl-auditors': 'auditor' },
    clientId: idp.clientId,
    clientSecret: 'env:UNUSED_HERE',
    scopes: ['openid', 'email', 'groups'],
  });
  env = await startServiceEnv({
    console: { sessions: consoleSessions, ssoLoginPath: '/auth/oidc/login' },
    extend(app) {
      registerOidcLogin(app, { oidc: { ...oidc, clientId: idp.clientId }, clientSecret: idp.clientSecret, sessions, log });
    },
  });
  serviceUrl = await env.service.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
});
test.afterAll(async () => {
  await browser?.close();
  await env?.close();
  await idp?.close();
  saveCapturedLogs(scanRoot(), logs, 'oidc-login.log');
});

/** Through the provider's pages until the browser is sent back to the service. */
async function signInAtIdp(page: Page, login: string): Promise<void> {
  await page.goto(`${serviceUrl}/auth/oidc/login`);
  for (let step = 0; step < 4; step++) {
    await page.waitForURL((u) => u.origin === serviceUrl || u.pathname.startsWith('/interaction/'));
    const here = page.url();
    if (new URL(here).origin === serviceUrl) return;
    const loginField = page.getByPlaceholder('Enter any login');
    const consent = page.getByRole('button', { name: 'Continue' });
    await expect(loginField.or(consent)).toBeVisible();
    if (await loginField.isVisible()) {
      await loginField.fill(login);
      await page.getByPlaceholder('and password').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else {
      await consent.click();
    }
    // Each step ends on a new interaction (new uid) or back at the service.
    await page.waitForURL((u) => u.href !== here);
  }
  throw new Error(`still at the IdP: ${page.url()}`);
}

/**
 * Signs in at the IdP but holds the IdP's redirect back: the callback URL (with its code)
 * and the state cookie. Playwright does not route the hops of a redirect chain, so the
 * form POST that ends the IdP's pages is routed and its two redirects (the POST, then the
 * IdP's resume endpoint) are followed here; a redirect to the callback is kept, not taken.
 */
async function captureCallback(context: BrowserContext, login: string): Promise<{ page: Page; callback: string; stateCookie: { name: string; value: string } }> {
  const page = await context.newPage();
  let callback = '';
  const isIdpPost = (u: URL) => u.origin === idp.issuer && u.pathname.startsWith('/interaction/');
  await context.route(isIdpPost, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const posted = await route.fetch({ maxRedirects: 0 });
    const resume = new URL(posted.headers()['location']!, idp.issuer);
    const next = new URL((await context.request.get(resume.href, { maxRedirects: 0 })).headers()['location']!, idp.issuer);
    if (next.origin === serviceUrl && next.pathname === '/auth/oidc/callback') {
      callback = next.href;
      return route.fulfill({ status: 303, headers: { location: `${serviceUrl}/healthz` } });
    }
    return route.fulfill({ status: 303, headers: { location: next.href } });
  });
  await signInAtIdp(page, login);
  await context.unroute(isIdpPost);
  expect(callback).toContain('code=');
  registerSecret(new URL(callback).searchParams.get('code')!, 'OIDC authorization code');
  const cookie = (await context.cookies(serviceUrl)).find((c) => c.name === 'seatctl-oidc')!;
  registerSecret(cookie.value, 'OIDC state cookie');
  return { page, callback, stateCookie: cookie };
}

const bodyOf = async (page: Page) => JSON.parse((await page.locator('body').innerText()) || 'null');

test('issue 13 item 3: OIDC sign-in (code + PKCE) gives a console session to the principal with the mapped roles', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const authorizeRequests: string[] = [];
  page.on('request', (r) => r.url().startsWith(`${idp.issuer}/auth?`) && authorizeRequests.push(r.url()));
  await signInAtIdp(page, 'bob');
  // The real browser carried the Strict session cookie to the console after the IdP round trip.
  await page.waitForURL(`${serviceUrl}/jobs`);
  await expect(page.getByText('Signed in as')).toContainText('bob@example.com');
  expect(signedIn.at(-1)).toEqual({ id: 'oidc:bob', name: 'bob@example.com', roles: ['approver', 'auditor'], via: 'oidc' });

  const authorize = new URL(authorizeRequests[0]!);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(authorize.searchParams.get('state')).toBeTruthy();
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  expect(authorize.searchParams.get('scope')).toBe('openid email groups');
  // The state cookie was used up.
  expect((await context.cookies(serviceUrl)).map((c) => c.name)).not.toContain('seatctl-oidc');
  await context.close();
});

test('issue 13 item 3: the state cookie is HttpOnly, SameSite=Lax and short-lived', async () => {
  const context = await browser.newContext();
  const { stateCookie } = await captureCallback(context, 'alice');
  const cookie = (await context.cookies(serviceUrl)).find((c) => c.name === stateCookie.name)!;
  expect(cookie.httpOnly).toBe(true);
  expect(cookie.sameSite).toBe('Lax');
  expect(cookie.expires - Date.now() / 1000).toBeLessThanOrEqual(600);
  expect(cookie.expires - Date.now() / 1000).toBeGreaterThan(0);
  await context.close();
});

test('issue 13 item 3: a callback whose state does not match the cookie is refused, and nobody is signed in', async () => {
  const context = await browser.newContext();
  const { page, callback } = await captureCallback(context, 'alice');
  const before = signedIn.length;
  const forged = new URL(callback);
  forged.searchParams.set('state', 'attacker-chosen-state');
  const res = await page.goto(forged.href);
  expect(res!.status()).toBe(400);
  expect((await bodyOf(page)).error.code).toBe('OIDC_STATE_MISMATCH');
  // The genuine callback now fails too: the state cookie was used up by the forged one.
  const again = await page.goto(callback);
  expect(again!.status()).toBe(400);
  expect(signedIn.length).toBe(before);
  await context.close();
});

test('issue 13 item 3: a replayed authorization code is refused by the IdP, even with the state cookie replayed', async () => {
  const context = await browser.newContext();
  const { page, callback, stateCookie } = await captureCallback(context, 'alice');
  expect((await page.goto(callback))!.status()).toBe(200);
  await page.waitForURL(`${serviceUrl}/jobs`);
  expect(signedIn.at(-1)).toMatchObject({ id: 'oidc:alice', roles: ['requester'] });
  const before = signedIn.length;

  await context.addCookies([{ name: stateCookie.name, value: stateCookie.value, url: serviceUrl }]);
  const replay = await page.goto(callback);
  expect(replay!.status()).toBe(401);
  const body = await bodyOf(page);
  expect(body.error.code).toBe('OIDC_SIGN_IN_FAILED');
  expect(body.error.message).toContain('invalid_grant');
  expect(signedIn.length).toBe(before);
  await context.close();
});

test('issue 13 item 3: the PKCE verifier is required: a code exchanged with another verifier is refused', async () => {
  const context = await browser.newContext();
  const { page, callback, stateCookie } = await captureCallback(context, 'alice');
  const before = signedIn.length;
  const pending = JSON.parse(Buffer.from(stateCookie.value, 'base64url').toString('utf8'));
  // An attacker holding the code (leaked redirect, log) but not this browser's verifier.
  const wrong = Buffer.from(JSON.stringify({ ...pending, verifier: randomBytes(32).toString('base64url') })).toString('base64url');
  await context.addCookies([{ name: stateCookie.name, value: wrong, url: serviceUrl }]);
  const res = await page.goto(callback);
  expect(res!.status()).toBe(401);
  expect((await bodyOf(page)).error.message).toContain('invalid_grant');
  expect(signedIn.length).toBe(before);
  await context.close();
});

test('issue 13 item 3: an IdP user whose groups map to no role gets 403 and no session', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const before = signedIn.length;
  let status = 0;
  page.on('response', (r) => r.url().startsWith(`${serviceUrl}/auth/oidc/callback`) && (status = r.status()));
  await signInAtIdp(page, 'mallory');
  await page.waitForLoadState();
  expect(status).toBe(403);
  expect((await bodyOf(page)).error.code).toBe('FORBIDDEN');
  expect(signedIn.length).toBe(before);
  expect((await context.cookies(serviceUrl)).map((c) => c.name)).not.toContain('seatctl-session');
  await context.close();
});

test('issue 13 item 3: sign-in logs name the principal but never the client secret, codes, tokens or cookies', async () => {
  const all = logs.join('') + env.logs.join('');
  expect(all).toContain('signed in with OIDC');
  expect(all).toContain('invalid_grant');
  expect(all).not.toContain(idp.clientSecret);
  for (const sid of issuedSessions) expect(all).not.toContain(sid);
  expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./); // no JWT (ID token) of any kind
  expect(all).not.toMatch(/code=|"code":"[A-Za-z0-9_-]{20,}/);
});
