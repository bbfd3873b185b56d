import { createHash } from 'node:crypto';
import { REPORT_CSS } from '../report/report-styles.js';

/**
 * The console's only stylesheet and only script, served from our own origin (CSP
 * `script-src 'self'`, `style-src 'self'`: no inline code, no third-party host). Kept
 * as TypeScript strings so `tsc` ships them with the build and nothing is fetched at
 * runtime. The URL carries the content hash, so a browser may cache them forever.
 */
export const CONSOLE_CSS = `${REPORT_CSS}
header{display:flex;align-items:center;gap:24px;padding:12px 28px}
header nav a{color:#fff;margin-right:16px;text-decoration:none;font-weight:600}
header .who{margin-left:auto;font-size:13px}
header form{display:inline;margin-left:12px}
header button{background:transparent;color:#fff;border:1px solid #8fa3c7;border-radius:4px;padding:3px 10px;cursor:pointer}
.brand{font-weight:700;font-size:18px}
form.inline{display:inline}
label{margin-right:12px}
input,select,textarea,button{font:inherit}
input[type=text],input[type=email],input[type=password],select{padding:4px 6px;border:1px solid #c3c9d1;border-radius:4px}
textarea{width:100%;max-width:560px;min-height:60px;border:1px solid #c3c9d1;border-radius:4px}
button.primary{background:#1d4ed8;color:#fff;border:0;border-radius:4px;padding:6px 14px;cursor:pointer}
button.danger{background:#b91c1c;color:#fff;border:0;border-radius:4px;padding:6px 14px;cursor:pointer}
button.plain{background:#fff;border:1px solid #c3c9d1;border-radius:4px;padding:5px 12px;cursor:pointer}
.status{font-weight:600;border-radius:4px;padding:1px 6px;background:#eef0f3}
.status-succeeded{background:#e3f5e8;color:#14532d}.status-failed,.status-cancelled{background:#fde8e8;color:#7f1d1d}
.status-running,.status-planning{background:#e0ecff;color:#1e3a8a}.status-awaiting_approval,.status-planned{background:#fff5db;color:#7a4d00}
.notice{border-left:4px solid #1d4ed8;background:#eef4ff;padding:8px 12px;margin:0 0 12px}
.error{border-left:4px solid #b91c1c;background:#fde8e8;padding:8px 12px;margin:0 0 12px}
.signin{max-width:420px;margin:60px auto}
.signin input[type=password]{width:100%;box-sizing:border-box;margin:6px 0 12px}
.filters{margin:0 0 12px}
.pager{margin-top:12px}
.pager a{margin-right:12px}
.thumbs figure{max-width:240px;margin:4px 8px 8px 0}
.thumbs img{max-width:240px;border:1px solid #dde1e6;border-radius:4px}
.hash{font:12px ui-monospace,Menlo,Consolas,monospace}
.grid{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
`;

/**
 * Follows a job's server-sent events: updates each task row and the job's status in
 * place, and when the job ends fetches the page once and swaps in the new content
 * (evidence, verify result), so an approver watches it finish without reloading.
 */
export const CONSOLE_JS = `'use strict';
(function () {
  var root = document.querySelector('[data-events]');
  if (!root || !window.EventSource) return;
  var source = new EventSource(root.getAttribute('data-events'));
  var live = document.getElementById('live');
  if (live) live.textContent = 'live';
  function setStatus(el, value) {
    if (!el) return;
    el.textContent = value;
    el.className = 'status status-' + value;
  }
  source.addEventListener('task', function (e) {
    var t = JSON.parse(e.data);
    var row = document.querySelector('[data-task-id="' + CSS.escape(t.id) + '"]');
    if (!row) return;
    setStatus(row.querySelector('[data-field=status]'), t.status);
    var outcome = row.querySelector('[data-field=outcome]');
    if (outcome) outcome.textContent = t.outcome || '';
    var detail = row.querySelector('[data-field=detail]');
    if (detail) detail.textContent = t.detail || '';
  });
  var shown = (document.getElementById('job-status') || {}).textContent;
  // Swaps in the page as the server renders it now: the approval forms once a plan
  // waits, the evidence and verify result once the job ends.
  function refresh() {
    fetch(location.href, { credentials: 'same-origin' }).then(function (r) { return r.text(); }).then(function (text) {
      var next = new DOMParser().parseFromString(text, 'text/html').querySelector('main');
      var main = document.querySelector('main');
      if (next && main) main.replaceWith(next);
      live = document.getElementById('live');
      if (live) live.textContent = source ? 'live' : 'finished';
    });
  }
  source.addEventListener('status', function (e) {
    var s = JSON.parse(e.data);
    setStatus(document.getElementById('job-status'), s.status);
    if (s.terminal) { source.close(); source = null; }
    if (s.status !== shown && (s.terminal || s.status === 'awaiting_approval')) refresh();
    shown = s.status;
  });
  source.onerror = function () { if (live && source) live.textContent = 'reconnecting'; };
})();
`;

const short = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 12);
export const CSS_PATH = `/assets/console-${short(CONSOLE_CSS)}.css`;
export const JS_PATH = `/assets/console-${short(CONSOLE_JS)}.js`;
