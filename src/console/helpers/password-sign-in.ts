import { SeatctlError } from '../../errors/index.js';
import type { FlowContext } from '../flow-context.js';

/**
 * The sign-in most consoles have: one page with an email and a password field, a
 * button, then either a page of the signed-in app or an alert. The flow's locator map
 * must name `loginEmail`, `loginPassword`, `signIn` and `loginError`; `signedIn` is the
 * locator that shows on the first signed-in page. The password is typed inside a secret
 * step (never in a trace) and masked in the screenshot; a refusal is AUTH_FAILED with
 * the console's own words.
 */
export async function passwordSignIn<C extends { email: string }, O>(ctx: FlowContext<C, O>, path: string, signedIn: string): Promise<void> {
  await ctx.page.goto(ctx.url(path));
  await (await ctx.find('loginEmail')).fill(ctx.credentials.email);
  // Until the next page shows, the password is in a field and in the form's request.
  await ctx.secretStep('sign-in password', async () => {
    await ctx.fillSecret(await ctx.find('loginPassword'), 'password');
    await ctx.step('sign-in form (password masked)');
    await (await ctx.find('signIn')).click();
    await ctx.locator(signedIn).or(ctx.locator('loginError')).first().waitFor();
  });
  if (await ctx.locator('loginError').first().isVisible()) {
    throw new SeatctlError('AUTH_FAILED', `${ctx.app}: sign-in refused: ${await ctx.locator('loginError').first().innerText()}`);
  }
}
