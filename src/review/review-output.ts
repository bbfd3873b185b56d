import { esc, html, raw, type Html } from '../report/html.js';
import { REPORT_CSS } from '../report/report-styles.js';
import { csvRow } from './csv.js';
import { VERDICTS, type Reconciliation, type ReconciledRow, type Verdict } from './reconcile.js';
import { REVIEW_COLUMNS, type AppReview, type ReviewRow } from './review-rows.js';

/**
 * The three renderings of an access review. Pure: the caller collects, reconciles
 * and writes. Whatever the format, an app that was not read completely must be
 * visible as such: JSON carries `complete` per app and overall, HTML shows a banner.
 * (CSV cannot carry it without breaking the header-first contract that spreadsheet
 * imports rely on, so the CLI reports it on stderr and in the exit code.)
 */
export type ReviewFormat = 'csv' | 'json' | 'html';

export interface ReviewResult {
  id: string;
  generatedAt: string;
  apps: AppReview[];
  rows: ReviewRow[];
  reconciliation: Reconciliation | null;
  includeInactive: boolean;
  rosterSource: string | null;
}

export const isComplete = (r: ReviewResult): boolean => r.apps.every((a) => a.complete);

export const RECONCILED_COLUMNS = ['verdict', 'reason', 'rosterStatus', 'terminationDate', 'manager'] as const;

export function renderReviewCsv(r: ReviewResult): string {
  if (!r.reconciliation) {
    return csvRow([...REVIEW_COLUMNS]) + r.rows.map((row) => csvRow(REVIEW_COLUMNS.map((c) => row[c]))).join('');
  }
  return (
    csvRow([...REVIEW_COLUMNS, ...RECONCILED_COLUMNS]) +
    r.reconciliation.rows
      .map((row) =>
        csvRow([...REVIEW_COLUMNS.map((c) => row[c]), row.verdict, row.reason, row.person?.status ?? '', row.person?.terminationDate ?? '', row.person?.manager ?? '']),
      )
      .join('')
  );
}

/** Everything of the JSON review but its rows; the streamed writer (review-stream.ts) adds the rows after it. */
export function reviewJsonHead(r: ReviewResult) {
  return {
    id: r.id,
    generatedAt: r.generatedAt,
    complete: isComplete(r),
    includeInactive: r.includeInactive,
    roster: r.rosterSource,
    apps: r.apps,
    ...(r.reconciliation ? { counts: r.reconciliation.counts } : {}),
  };
}

export function renderReviewJson(r: ReviewResult): string {
  const review = { ...reviewJsonHead(r), rows: r.reconciliation ? r.reconciliation.rows : r.rows };
  return JSON.stringify({ review }) + '\n';
}

export function renderReview(r: ReviewResult, format: ReviewFormat): string {
  switch (format) {
    case 'csv':
      return renderReviewCsv(r);
    case 'json':
      return renderReviewJson(r);
    case 'html':
      return renderReviewHtml(r);
  }
}

// ---------------------------------------------------------------------------- HTML

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`): string => `${n(x)} ${x === 1 ? one : many}`;

const VERDICT_LABEL: Record<Verdict, string> = {
  orphaned: 'orphaned',
  unknown_account: 'unknown account',
  active_ok: 'active, ok',
  disabled_ok: 'disabled, ok',
  missing: 'missing',
};

/**
 * App names become ids and class names for the CSS filters. Only [a-z0-9-] survive,
 * and the position keeps two names that sanitise alike (`a b`, `a.b`) apart.
 */
const appClass = (app: string, index: number): string => `a-${index}-${app.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40)}`;

/**
 * The filters are CSS only (the report is served with `default-src 'none'`, so no
 * script runs): each radio hides, while checked, every row without its class. The
 * radios must stay siblings before the table's wrapper for `~` to reach it.
 * Layout at real size (10,000 people × 4 apps): cells never wrap (one line per row,
 * ids no longer broken per character), and the wide table scrolls sideways inside its
 * wrapper instead of being cut at the page width.
 */
const REVIEW_CSS = `
.incomplete-banner{background:#7f1d1d;color:#fff;border-radius:8px;padding:14px 20px;margin:0 0 18px;font-size:15px}
.incomplete-banner p{margin:4px 0}
.filters input{position:absolute;opacity:0;pointer-events:none}
.filters label{display:inline-block;border:1px solid #c9ced6;border-radius:14px;padding:2px 10px;margin:0 4px 8px 0;cursor:pointer;background:#fff}
.filters input:checked+label{background:#14213d;color:#fff;border-color:#14213d}
.filters input:focus-visible+label{outline:2px solid #2563eb}
.filter-title{font-weight:600;margin-right:6px}
.verdict{font-weight:600;border-radius:4px;padding:1px 6px;white-space:nowrap}
.verdict.orphaned{background:#fde8e8;color:#7f1d1d}.verdict.unknown_account{background:#fff5db;color:#7a4d00}
.verdict.active_ok,.verdict.disabled_ok{background:#e3f5e8;color:#14532d}.verdict.missing{background:#eef0f3;color:#374151}
td.num,th.num{text-align:right}
.no{color:#991b1b;font-weight:700}
main{max-width:none}
.table-wrap{overflow:auto;max-width:100%;max-height:80vh;border:1px solid #eceef1;border-radius:4px}
.table-wrap table{width:auto;min-width:100%;font-size:13px}
.table-wrap th,.table-wrap td{white-space:nowrap;padding:3px 8px}
.table-wrap th{position:sticky;top:0}
.table-wrap code{word-break:normal}
`;

function filterCss(appClasses: string[], reconciled: boolean): string {
  const rules = appClasses.map((c) => `#${c}:checked~.table-wrap tr.r:not(.${c}){display:none}`);
  if (reconciled) {
    rules.push(...VERDICTS.map((v) => `#v-${v}:checked~.table-wrap tr.r:not(.v-${v}){display:none}`));
    // The default view: accounts that exist. People without an account ("missing",
    // often the largest group) are one click away instead of burying the rest.
    rules.push('#v-accounts:checked~.table-wrap tr.r.v-missing{display:none}');
  }
  return rules.join('\n');
}

function banner(r: ReviewResult): Html | '' {
  const incomplete = r.apps.filter((a) => !a.complete);
  if (!incomplete.length) return '';
  return html`<div class="incomplete-banner" id="incomplete" role="alert">
${incomplete.map((a) => html`<p><strong>INCOMPLETE:</strong> ${a.app} failed after ${plural(a.count, 'user')}${a.error ? html`: <code>${a.error.code}</code> ${a.error.message}` : ''}</p>`)}
<p>This review does not list every account of ${incomplete.length === 1 ? 'this app' : 'these apps'}: accounts that were not read are in no section below, and no one is reported missing from ${incomplete.length === 1 ? 'it' : 'them'}. Fix the error and run the review again.</p>
</div>`;
}

function appsSection(r: ReviewResult, apps: string[]): Html {
  const rec = r.reconciliation;
  const byName = new Map(r.apps.map((a) => [a.app, a]));
  return html`<section id="apps">
<h2>Apps</h2>
<table>
<tr><th>app</th><th class="num">users read</th><th>complete</th>${rec ? VERDICTS.map((v) => html`<th class="num">${VERDICT_LABEL[v]}</th>`) : ''}</tr>
${apps.map((name) => {
  const a = byName.get(name);
  const counts = rec?.counts[name];
  return html`<tr><td>${name}</td><td class="num">${a ? n(a.count) : '—'}</td><td>${
    a?.complete ? 'yes' : html`<span class="no">no</span>${a?.error ? html` <code>${a.error.code}</code> ${a.error.message}` : ''}`
  }</td>${rec ? VERDICTS.map((v) => html`<td class="num">${n(counts?.[v] ?? 0)}</td>`) : ''}</tr>`;
})}
</table>
</section>`;
}

function orphansSection(r: ReviewResult): Html {
  const rec = r.reconciliation;
  if (!rec) {
    return html`<section id="orphans"><h2>Orphaned accounts</h2><p class="muted">No roster was given, so accounts were not checked against HR: run the review with a roster to find orphaned accounts.</p></section>`;
  }
  const o = rec.orphans;
  return html`<section id="orphans">
<h2>Orphaned accounts (<span id="orphan-count">${n(o.length)}</span>)</h2>
<p class="muted">Accounts with access whose owner is terminated in the roster or not in it at all.</p>
${
  o.length
    ? html`<div class="table-wrap"><table>
<tr><th>app</th><th>email</th><th>name</th><th>role</th><th>status</th><th>reason</th></tr>
${o.map((row) => html`<tr class="orphan"><td>${row.app}</td><td>${row.email}</td><td>${row.name}</td><td>${row.role ?? ''}</td><td>${row.status}</td><td>${row.reason}</td></tr>`)}
</table></div>`
    : html`<p>None${isComplete(r) ? '' : ' among the accounts that were read'}.</p>`
}
</section>`;
}

function allSection(r: ReviewResult, apps: string[]): Html {
  const rec = r.reconciliation;
  const classOf = new Map(apps.map((a, i) => [a, appClass(a, i)]));
  const rows: (ReviewRow | ReconciledRow)[] = rec ? rec.rows : r.rows;
  const perApp = new Map<string, number>();
  for (const row of rows) perApp.set(row.app, (perApp.get(row.app) ?? 0) + 1);
  const perVerdict = new Map<Verdict, number>();
  if (rec) for (const row of rec.rows) perVerdict.set(row.verdict, (perVerdict.get(row.verdict) ?? 0) + 1);

  const verdictFilter = rec
    ? html`<span class="filter-title">Verdict</span>
<input type="radio" name="v" id="v-accounts" checked><label for="v-accounts">accounts (${n(rows.length - (perVerdict.get('missing') ?? 0))})</label>
<input type="radio" name="v" id="v-all"><label for="v-all">all (${n(rows.length)})</label>
${VERDICTS.map((v) => html`<input type="radio" name="v" id="v-${v}"><label for="v-${v}">${VERDICT_LABEL[v]} (${n(perVerdict.get(v) ?? 0)})</label>`)}
<br>`
    : '';
  const appFilter = html`<span class="filter-title">App</span>
<input type="radio" name="a" id="a-all" checked><label for="a-all">all</label>
${apps.map((a) => html`<input type="radio" name="a" id="${classOf.get(a)}"><label for="${classOf.get(a)}">${a} (${n(perApp.get(a) ?? 0)})</label>`)}`;

  const head = rec
    ? html`<tr><th>app</th><th>verdict</th><th>email</th><th>name</th><th>role</th><th>status</th><th>reason</th><th>roster status</th><th>termination date</th><th>manager</th><th>origin</th><th>last seen</th><th>id</th></tr>`
    : html`<tr><th>app</th><th>email</th><th>name</th><th>role</th><th>status</th><th>origin</th><th>last seen</th><th>id</th></tr>`;
  // The verdict sits next to the app: on a narrow screen the wide table scrolls sideways,
  // and what a reviewer acts on must be in the part that is visible first.
  const body = rows.map((row) => {
    const who = html`<td>${row.email}</td><td>${row.name}</td><td>${row.role ?? ''}</td><td>${row.status}</td>`;
    const tail = html`<td>${row.origin ?? ''}</td><td>${row.lastSeen ?? ''}</td><td><code>${row.id}</code></td>`;
    if ('verdict' in row) {
      return html`<tr class="r v-${row.verdict} ${classOf.get(row.app)}"><td>${row.app}</td><td><span class="verdict ${row.verdict}">${VERDICT_LABEL[row.verdict]}</span></td>${who}<td>${row.reason}</td><td>${row.person?.status ?? ''}</td><td>${row.person?.terminationDate ?? ''}</td><td>${row.person?.manager ?? ''}</td>${tail}</tr>`;
    }
    return html`<tr class="r ${classOf.get(row.app)}"><td>${row.app}</td>${who}${tail}</tr>`;
  });

  return html`<section id="all">
<h2>All accounts (${n(rows.length)})</h2>
<div class="filters">
${verdictFilter}
${appFilter}
<div class="table-wrap">
<table>
${head}
${body}
</table>
</div>
</div>
</section>`;
}

export function renderReviewHtml(r: ReviewResult): string {
  const complete = isComplete(r);
  const rowsApps = (r.reconciliation ? r.reconciliation.rows : r.rows).map((row) => row.app);
  const apps = [...new Set([...r.apps.map((a) => a.app), ...rowsApps])];
  const appClasses = apps.map(appClass);
  const title = `seatctl access review ${r.id}${complete ? '' : ' — INCOMPLETE'}`;
  const body = html`<header><h1>${title}</h1><div>generated ${r.generatedAt} · ${plural(apps.length, 'app')} · ${
    r.rosterSource ? html`reconciled against <code>${r.rosterSource}</code>` : 'no roster'
  } · ${r.includeInactive ? 'inactive accounts included' : 'inactive accounts not listed'}</div></header>
<main>
${banner(r)}
${appsSection(r, apps)}
${orphansSection(r)}
${allSection(r, apps)}
<p class="muted">generated ${r.generatedAt} by seatctl</p>
</main>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${esc(title)}</title><style>${REPORT_CSS}${REVIEW_CSS}${filterCss(appClasses, Boolean(r.reconciliation))}</style></head><body>${raw(body.value).value}</body></html>\n`;
}
