import { TRANSIENT_ALERT } from './users.js';
import { SeatctlError } from '../../src/errors/index.js';
import type { FlowContext } from '../../src/console/flow-context.js';
import { totpCode } from '../../src/console/helpers/totp.js';
import type { BillcomCredentials, BillcomOptions } from './options.js';

type Ctx = FlowContext<BillcomCredentials, BillcomOptions>;

/**
 * Sign-in → MFA (the authenticator app, not SMS, which nobody can answer unattended)
 * → organization chooser when the login has several. "Trust this device" is ticked so
 * the saved session skips MFA next time, as an admin would.
 */
export async function billcomLogin(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await page.goto(ctx.url('/login'));
  await (await ctx.find('loginEmail')).fill(ctx.credentials.email);
  // Until the next page shows, the password is in a field and in the form's request.
  const next = await ctx.secretStep('sign-in password', async () => {
    await ctx.fillSecret(await ctx.find('loginPassword'), 'password');
    await ctx.step('sign-in form (password masked)');
    await (await ctx.find('signIn')).click();
    return firstVisible(ctx, ['mfaHeading', 'orgHeading', 'signedIn', 'loginError']);
  });
  if (next === 'loginError') {
    const text = await ctx.locator('loginError').first().innerText();
    // Server trouble during sign-in is not a wrong password: retry it instead of failing for good.
    if (TRANSIENT_ALERT.test(text)) throw new SeatctlError('UPSTREAM_UNAVAILABLE', `${ctx.app}: sign-in failed on the console's side: ${text}`);
    throw new SeatctlError('AUTH_FAILED', `${ctx.app}: sign-in refused: ${text}`);
  }
  if (next === 'mfaHeading') await ctx.secretStep('MFA code', () => answerMfa(ctx));
  if ((await firstVisible(ctx, ['orgHeading', 'signedIn'])) === 'orgHeading') await chooseOrg(ctx);
  await ctx.find('signedIn');
}

async function answerMfa(ctx: Ctx): Promise<void> {
  if (await ctx.locator('useAuthenticator').isVisible()) {
    await ctx.locator('useAuthenticator').click();
    // The switch is a round trip that clears the field: wait for the new mode.
    await ctx.find('authenticatorMode');
  }
  const code = await ctx.find('mfaCode');
  ctx.mask(code);
  if (ctx.options.trustDevice) await (await ctx.find('trustDevice')).check();
  // A code is accepted once per 30 s step, within ±1 step. After "already used" (an
  // earlier login of ours, another process's included, took this step's code), the next
  // step's code goes through at once; when that one is taken too, wait for a new step
  // rather than guess further ahead (an incorrect code counts towards the lock-out).
  let refused = '';
  for (const offset of [0, 1, 'next step', 0, 1] as const) {
    if (offset === 'next step') {
      if (!/already been used/i.test(refused)) break;
      await new Promise((r) => setTimeout(r, 30_000 - (Date.now() % 30_000) + 500));
      continue;
    }
    // Not registered with the redactor: six digits would scrub unrelated numbers, and a used code is worthless.
    await ctx.fillSecretValue(code, totpCode(ctx.secret('totpSecret'), offset), { redact: false });
    await ctx.step('MFA code (masked)');
    await (await ctx.find('verify')).click();
    const result = await firstVisible(ctx, ['orgHeading', 'signedIn', 'loginError']);
    if (result !== 'loginError') return;
    refused = await ctx.locator('loginError').first().innerText();
    if (!/already been used|incorrect/i.test(refused)) throw new SeatctlError('AUTH_FAILED', `${ctx.app}: MFA refused: ${refused}`);
  }
  throw new SeatctlError('AUTH_FAILED', `${ctx.app}: MFA codes refused (is the TOTP seed right and the clock in sync?)`);
}

async function chooseOrg(ctx: Ctx): Promise<void> {
  const wanted = ctx.options.organization;
  if (!wanted) {
    const names = await ctx.page.getByRole('main').getByRole('button').allInnerTexts();
    throw new SeatctlError('CONFIG_INVALID', `${ctx.app}: this login belongs to several organizations (${names.join(', ')}); set options.organization`);
  }
  await ctx.step('organization chooser');
  await (await ctx.find('orgButton', wanted)).click();
}

/** Waits for whichever of these named locators shows first. */
export async function firstVisible<N extends string>(ctx: Ctx, names: N[]): Promise<N> {
  const locators = names.map((n) => ctx.locator(n).first());
  const any = locators.reduce((a, b) => a.or(b));
  await any.first().waitFor({ state: 'visible' });
  for (const [i, l] of locators.entries()) if (await l.isVisible()) return names[i]!;
  return names[names.length - 1]!;
}
