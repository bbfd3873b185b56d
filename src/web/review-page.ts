import { html, type Html } from '../report/html.js';
import type { ReviewRowFilter, ReviewRowsPage } from './review-rows-reader.js';

export const REVIEW_PAGE_SIZE = 100;

export interface ReviewView {
  jobId: string;
  filter: ReviewRowFilter;
  page: number;
  /** null while the review has not written its rows (running, or failed before). */
  result: ReviewRowsPage | null;
}

function link(v: ReviewView, page: number): string {
  const q = new URLSearchParams();
  if (v.filter.app) q.set('app', v.filter.app);
  if (v.filter.verdict) q.set('verdict', v.filter.verdict);
  if (v.filter.email) q.set('email', v.filter.email);
  if (page > 1) q.set('page', String(page));
  const s = q.toString();
  return `/jobs/${encodeURIComponent(v.jobId)}/review${s ? `?${s}` : ''}`;
}

export function renderReviewPage(v: ReviewView): Html {
  const back = html`<p><a href="/jobs/${encodeURIComponent(v.jobId)}">← job ${v.jobId}</a></p>`;
  if (!v.result) return html`${back}<section><h2>Review</h2><p class="muted">This review has no rows yet (it has not finished, or it failed before writing them).</p></section>`;
  const r = v.result;
  const pages = Math.max(1, Math.ceil(r.total / REVIEW_PAGE_SIZE));
  const from = r.total ? (v.page - 1) * REVIEW_PAGE_SIZE + 1 : 0;
  const hasVerdicts = r.verdicts.length > 0;
  return html`${back}<section><h2>Review rows</h2>
<form method="get" action="/jobs/${encodeURIComponent(v.jobId)}/review" class="filters">
<label>App <select name="app"><option value="">any</option>${r.apps.map((a) => html`<option value="${a}"${v.filter.app === a ? ' selected' : ''}>${a}</option>`)}</select></label>
${hasVerdicts ? html`<label>Verdict <select name="verdict"><option value="">any</option>${r.verdicts.map((x) => html`<option value="${x}"${v.filter.verdict === x ? ' selected' : ''}>${x}</option>`)}</select></label>` : ''}
<label>Email <input type="text" name="email" value="${v.filter.email ?? ''}" maxlength="254"></label>
<button type="submit" class="plain">Filter</button></form>
<p data-review-total="${r.total}">${from}–${from ? from + r.rows.length - 1 : 0} of ${r.total.toLocaleString('en-US')} rows · page ${v.page} of ${pages}</p>
<table><thead><tr><th>App</th><th>Email</th><th>Name</th><th>Role</th><th>Status</th><th>Last seen</th>${hasVerdicts ? html`<th>Verdict</th><th>Reason</th>` : ''}</tr></thead>
<tbody>${r.rows.map((row) => html`<tr><td>${row.app}</td><td>${row.email}</td><td>${row.name}</td><td>${row.role ?? ''}</td><td>${row.status}</td><td>${row.lastSeen ?? ''}</td>${hasVerdicts ? html`<td>${row.verdict ?? ''}</td><td>${row.reason ?? ''}</td>` : ''}</tr>`)}</tbody></table>
<p class="pager">${v.page > 1 ? html`<a href="${link(v, v.page - 1)}" rel="prev">← Previous</a>` : ''}${v.page < pages ? html`<a href="${link(v, v.page + 1)}" rel="next">Next →</a>` : ''}</p></section>`;
}
