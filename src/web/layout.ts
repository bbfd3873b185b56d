import type { Principal } from '../auth/principal.js';
import { html, type Html } from '../report/html.js';
import { CSS_PATH, JS_PATH } from './console-assets.js';

/**
 * Every console page: no inline script or style, one same-origin stylesheet and script.
 * CSP keeps it that way even if an escaping bug slipped through.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export interface PageChrome {
  title: string;
  /** null on the sign-in page. */
  principal: Principal | null;
  /** The session's CSRF token, for the sign-out form. */
  csrf: string | null;
}

export function page(chrome: PageChrome, body: Html): string {
  const who = chrome.principal
    ? html`<span class="who">Signed in as <strong>${chrome.principal.name}</strong> (${chrome.principal.roles.join(', ')})</span>
<form method="post" action="/sign-out"><input type="hidden" name="_csrf" value="${chrome.csrf ?? ''}"><button type="submit">Sign out</button></form>`
    : '';
  const nav = chrome.principal ? html`<nav><a href="/jobs">Jobs</a></nav>` : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${chrome.title} · seatctl</title>
<link rel="stylesheet" href="${CSS_PATH}">
<script src="${JS_PATH}" defer></script>
</head><body>
<header><span class="brand">seatctl</span>${nav}${who}</header>
<main>${body}</main>
</body></html>
`.value;
}

/** ISO time as `2026-11-30 14:56 UTC`; empty stays empty. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export const statusBadge = (status: string, id?: string): Html => html`<span class="status status-${status}"${id ? html` id="${id}"` : ''}>${status}</span>`;
