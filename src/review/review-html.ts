import { esc, html, type Html } from '../report/html.js';
import { REPORT_CSS } from '../report/report-styles.js';
import { VERDICTS, type Verdict } from './reconcile.js';
import { isComplete, type ReviewSource } from './review-source.js';

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

function banner(r: ReviewSource): Html | '' {
  const incomplete = r.apps.filter((a) => !a.complete);
  if (!incomplete.length) return '';
  return html`<div class="incomplete-banner" id="incomplete" role="alert">
${incomplete.map((a) => html`<p><strong>INCOMPLETE:</strong> ${a.app} failed after ${plural(a.count, 'user')}${a.error ? html`: <code>${a.error.code}</code> ${a.error.message}` : ''}</p>`)}
<p>This review does not list every account of ${incomplete.length === 1 ? 'this app' : 'these apps'}: accounts that were not read are in no section below, and no one is reported missing from ${incomplete.length === 1 ? 'it' : 'them'}. Fix the error and run the review again.</p>
</div>`;
}

function appsSection(r: ReviewSource, apps: string[]): Html {
  const counts = r.counts;
  const byName = new Map(r.apps.map((a) => [a.app, a]));
  return html`<section id="apps">
<h2>Apps</h2>
<table>
<tr><th>app</th><th class="num">users read</th><th>complete</th>${counts ? VERDICTS.map((v) => html`<th class="num">${VERDICT_LABEL[v]}</th>`) : ''}</tr>
${apps.map((name) => {
  const a = byName.get(name);
  const appCounts = counts?.[name];
  return html`<tr><td>${name}</td><td class="num">${a ? n(a.count) : '—'}</td><td>${
    a?.complete ? 'yes' : html`<span class="no">no</span>${a?.error ? html` <code>${a.error.code}</code> ${a.error.message}` : ''}`
  }</td>${counts ? VERDICTS.map((v) => html`<td class="num">${n(appCounts?.[v] ?? 0)}</td>`) : ''}</tr>`;
})}
</table>
</section>`;
}

/** Rows per verdict over all apps. */
function perVerdict(counts: Record<string, Record<Verdict, number>>): Map<Verdict, number> {
  const out = new Map<Verdict, number>();
  for (const byVerdict of Object.values(counts)) for (const v of VERDICTS) if (byVerdict[v]) out.set(v, (out.get(v) ?? 0) + byVerdict[v]);
  return out;
}

function* orphansSection(r: ReviewSource): Generator<string> {
  if (!r.counts) {
    yield html`<section id="orphans"><h2>Orphaned accounts</h2><p class="muted">No roster was given, so accounts were not checked against HR: run the review with a roster to find orphaned accounts.</p></section>`.value;
    return;
  }
  const orphans = perVerdict(r.counts).get('orphaned') ?? 0;
  yield html`<section id="orphans">
<h2>Orphaned accounts (<span id="orphan-count">${n(orphans)}</span>)</h2>
<p class="muted">Accounts with access whose owner is terminated in the roster or not in it at all.</p>
`.value;
  if (orphans) {
    yield `<div class="table-wrap"><table>
<tr><th>app</th><th>email</th><th>name</th><th>role</th><th>status</th><th>reason</th></tr>
`;
    for (const row of r.orphans()) yield html`<tr class="orphan"><td>${row.app}</td><td>${row.email}</td><td>${row.name}</td><td>${row.role ?? ''}</td><td>${row.status}</td><td>${row.reason}</td></tr>`.value;
    yield '\n</table></div>';
  } else yield html`<p>None${isComplete(r) ? '' : ' among the accounts that were read'}.</p>`.value;
  yield '\n</section>';
}

function* allSection(r: ReviewSource, apps: string[]): Generator<string> {
  const reconciled = r.counts !== null;
  const classOf = new Map(apps.map((a, i) => [a, appClass(a, i)]));
  let total = 0;
  for (const count of r.perApp.values()) total += count;
  const verdicts = r.counts ? perVerdict(r.counts) : new Map<Verdict, number>();

  const verdictFilter = reconciled
    ? html`<span class="filter-title">Verdict</span>
<input type="radio" name="v" id="v-accounts" checked><label for="v-accounts">accounts (${n(total - (verdicts.get('missing') ?? 0))})</label>
<input type="radio" name="v" id="v-all"><label for="v-all">all (${n(total)})</label>
${VERDICTS.map((v) => html`<input type="radio" name="v" id="v-${v}"><label for="v-${v}">${VERDICT_LABEL[v]} (${n(verdicts.get(v) ?? 0)})</label>`)}
<br>`
    : '';
  const appFilter = html`<span class="filter-title">App</span>
<input type="radio" name="a" id="a-all" checked><label for="a-all">all</label>
${apps.map((a) => html`<input type="radio" name="a" id="${classOf.get(a)}"><label for="${classOf.get(a)}">${a} (${n(r.perApp.get(a) ?? 0)})</label>`)}`;

  const head = reconciled
    ? html`<tr><th>app</th><th>verdict</th><th>email</th><th>name</th><th>role</th><th>status</th><th>reason</th><th>roster status</th><th>termination date</th><th>manager</th><th>origin</th><th>last seen</th><th>id</th></tr>`
    : html`<tr><th>app</th><th>email</th><th>name</th><th>role</th><th>status</th><th>origin</th><th>last seen</th><th>id</th></tr>`;
  yield html`<section id="all">
<h2>All accounts (${n(total)})</h2>
<div class="filters">
${verdictFilter}
${appFilter}
<div class="table-wrap">
<table>
${head}
`.value;
  // The verdict sits next to the app: on a narrow screen the wide table scrolls sideways,
  // and what a reviewer acts on must be in the part that is visible first.
  for (const row of r.rows()) {
    const who = html`<td>${row.email}</td><td>${row.name}</td><td>${row.role ?? ''}</td><td>${row.status}</td>`;
    const tail = html`<td>${row.origin ?? ''}</td><td>${row.lastSeen ?? ''}</td><td><code>${row.id}</code></td>`;
    if ('verdict' in row) {
      yield html`<tr class="r v-${row.verdict} ${classOf.get(row.app)}"><td>${row.app}</td><td><span class="verdict ${row.verdict}">${VERDICT_LABEL[row.verdict]}</span></td>${who}<td>${row.reason}</td><td>${row.person?.status ?? ''}</td><td>${row.person?.terminationDate ?? ''}</td><td>${row.person?.manager ?? ''}</td>${tail}</tr>`.value;
    } else yield html`<tr class="r ${classOf.get(row.app)}"><td>${row.app}</td>${who}${tail}</tr>`.value;
  }
  yield `
</table>
</div>
</div>
</section>`;
}

/**
 * The apps of the rows that the listing did not name, in order of first appearance in
 * the output (built-in drivers always name their own app, so this is normally empty and
 * costs nothing; only then are the rows walked).
 */
function* extraRowApps(r: ReviewSource): Generator<string> {
  const listed = new Set(r.apps.map((a) => a.app));
  if ([...r.perApp.keys()].every((a) => listed.has(a))) return;
  for (const row of r.rows()) yield row.app;
}

/**
 * The HTML review, piece by piece: the head and sections are small, the two tables are
 * yielded a row at a time, so a 400,000-row review never becomes one string. The pieces
 * joined are the page the single-template renderer wrote before (test/review/
 * review-golden.spec.ts holds its bytes), with the same escaping: every value from an
 * app or the roster goes through `html`/`esc`.
 */
export function* reviewHtmlParts(r: ReviewSource): Generator<string> {
  const complete = isComplete(r);
  const apps = [...new Set([...r.apps.map((a) => a.app), ...extraRowApps(r)])];
  const appClasses = apps.map(appClass);
  const title = `seatctl access review ${r.id}${complete ? '' : ' — INCOMPLETE'}`;
  yield `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${esc(title)}</title><style>${REPORT_CSS}${REVIEW_CSS}${filterCss(appClasses, r.counts !== null)}</style></head><body>`;
  yield html`<header><h1>${title}</h1><div>generated ${r.generatedAt} · ${plural(apps.length, 'app')} · ${
    r.rosterSource ? html`reconciled against <code>${r.rosterSource}</code>` : 'no roster'
  } · ${r.includeInactive ? 'inactive accounts included' : 'inactive accounts not listed'}</div></header>
<main>
${banner(r)}
${appsSection(r, apps)}
`.value;
  yield* orphansSection(r);
  yield '\n';
  yield* allSection(r, apps);
  yield html`
<p class="muted">generated ${r.generatedAt} by seatctl</p>
</main>`.value;
  yield '</body></html>\n';
}
