import { html, type Html } from '../report/html.js';

export interface SignInView {
  /** Pre-session CSRF token (login CSRF: a foreign page must not sign you in as someone else). */
  csrf: string;
  error?: string | undefined;
  /** Where OIDC sign-in starts, when configured. */
  ssoLoginPath?: string | undefined;
  /** The service runs without tokens (loopback only): anyone here is the local admin. */
  tokenless: boolean;
}

export function renderSignInPage(v: SignInView): Html {
  return html`<div class="signin"><section><h2>Sign in to seatctl</h2>
${v.error ? html`<p class="error">${v.error}</p>` : ''}
${v.ssoLoginPath ? html`<p><a href="${v.ssoLoginPath}" class="sso">Sign in with SSO</a></p><p class="muted">or with your API token:</p>` : ''}
<form method="post" action="/sign-in">
<input type="hidden" name="_csrf" value="${v.csrf}">
${v.tokenless ? html`<p class="muted">This service runs without tokens on loopback: you are the local admin.</p>` : html`<label for="token">Token</label>
<input type="password" id="token" name="token" autocomplete="off" required maxlength="4096">`}
<button type="submit" class="primary">Sign in</button>
</form></section></div>`;
}
