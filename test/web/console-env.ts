import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { TokenPrincipalInput } from '../../src/auth/token-principals.js';
import { registerSecret } from '../support/scan-root.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import type { ApiEnvOptions } from '../support/api-env.js';

/** People of the console walk-through, one role each, plus an admin who both requests and approves. */
export const PEOPLE = {
  alice: { roles: ['requester'], token: 'alice-requester-token-console-01' },
  bob: { roles: ['approver'], token: 'bob-approver-token-console-0002' },
  carol: { roles: ['auditor'], token: 'carol-auditor-token-console-003' },
  dana: { roles: ['admin'], token: 'dana-admin-token-console-000004' },
} as const satisfies Record<string, Omit<TokenPrincipalInput, 'name'>>;
export type Who = keyof typeof PEOPLE;

/** The service listening on loopback (a browser needs a real socket) with Chromium beside it. */
export interface ConsoleEnv {
  env: ServiceEnv;
  base: string;
  browser: Browser;
  /** A fresh browser context signed in through the console's sign-in form. */
  signIn(who: Who): Promise<{ context: BrowserContext; page: Page }>;
  api(method: 'GET' | 'POST', url: string, who: Who, body?: unknown): ReturnType<ServiceEnv['call']>;
  close(): Promise<void>;
}

export async function startConsoleEnv(options: ApiEnvOptions = {}): Promise<ConsoleEnv> {
  for (const [name, p] of Object.entries(PEOPLE)) registerSecret(p.token, `console token of ${name}`);
  const env = await startServiceEnv({ ...options, principals: Object.entries(PEOPLE).map(([name, p]) => ({ name, roles: p.roles, token: p.token })) });
  await env.service.app.listen({ host: '127.0.0.1', port: 0 });
  const address = env.service.app.server.address();
  if (!address || typeof address === 'string') throw new Error('service did not listen');
  const base = `http://127.0.0.1:${address.port}`;
  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: ['--disable-gpu', '--no-first-run'] });
  return {
    env,
    base,
    browser,
    async signIn(who) {
      const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto('/');
      await expect(page).toHaveURL(/\/sign-in$/);
      await page.getByLabel('Token').fill(PEOPLE[who].token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page).toHaveURL(/\/jobs$/);
      return { context, page };
    },
    api: (method, url, who, body) => env.call(method, url, body, { authorization: `Bearer ${PEOPLE[who].token}` }),
    async close() {
      await browser.close();
      await env.close();
    },
  };
}

/** The session's CSRF token as the page carries it (every form has it). */
export const csrfOf = (page: Page) => page.locator('input[name=_csrf]').first().inputValue();
