import type { Principal } from '../auth/principal.js';
import { permits } from '../auth/principal.js';
import type { JobStatus } from '../model/index.js';
import { html, type Html } from '../report/html.js';
import type { StoredJob } from '../store/index.js';
import { statusBadge, when } from './layout.js';

export const JOB_STATUSES: readonly JobStatus[] = ['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled'];

export interface JobsView {
  principal: Principal;
  csrf: string;
  jobs: StoredJob[];
  filter: { status?: string | undefined; email?: string | undefined };
  nextCursor: string | null;
  /** Configured app names, for the submit form. */
  apps: string[];
  /** A message after a console action (e.g. the job just submitted). */
  notice?: string | undefined;
  /** Why the submitted form was refused (the field is named in it); nothing was stored. */
  error?: string | undefined;
  /** What the refused form held, shown again so the person fixes one field instead of retyping all. */
  typed?: TypedForm | undefined;
}

export interface TypedForm {
  email: string;
  transferTo: string;
  apps: string[];
  dryRun: boolean;
  requireApproval: boolean;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 254) : '');

/** The submit form's fields as the browser sent them (strings only; anything else reads as empty). */
export function typedForm(body: unknown): TypedForm {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const apps = Array.isArray(b.apps) ? b.apps : b.apps === undefined ? [] : [b.apps];
  return { email: text(b.email), transferTo: text(b.transferTo), apps: apps.map(text).filter(Boolean), dryRun: b.dryRun === 'true', requireApproval: b.requireApproval === 'true' };
}

/** A job's people: the distinct subjects of its tasks, at most three named. */
export function peopleOf(stored: StoredJob): { shown: string[]; more: number } {
  const emails = [...new Set(stored.job.tasks.map((t) => t.subject.email))];
  return { shown: emails.slice(0, 3), more: Math.max(0, emails.length - 3) };
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function renderJobsPage(v: JobsView): Html {
  const rows = v.jobs.map((s) => {
    const people = peopleOf(s);
    return html`<tr>
<td><a href="/jobs/${encodeURIComponent(s.job.id)}"><code>${s.job.id}</code></a></td>
<td>${statusBadge(s.job.status)}</td><td>${s.job.kind}${s.job.dryRun ? ' (dry run)' : ''}</td>
<td>${people.shown.join(', ')}${people.more ? ` +${people.more}` : ''}</td>
<td>${s.meta.requestedBy ?? ''}</td><td>${when(s.job.createdAt)}</td><td>${when(s.meta.runAt)}</td></tr>`;
  });
  const typed = v.typed;
  const checked = (on: boolean) => (on ? ' checked' : '');
  const submit = permits(v.principal, 'submit')
    ? html`<section><h2>Offboard someone</h2>
<form method="post" action="/jobs" class="submit-form">
<input type="hidden" name="_csrf" value="${v.csrf}">
<label>Email <input type="email" name="email" required maxlength="254" value="${typed?.email ?? ''}"></label>
<label>Transfer documents to <input type="email" name="transferTo" maxlength="254" placeholder="manager@… (optional)" value="${typed?.transferTo ?? ''}"></label>
${v.apps.map((a) => html`<label><input type="checkbox" name="apps" value="${a}"${checked(typed ? typed.apps.includes(a) : true)}> ${a}</label>`)}
<label><input type="checkbox" name="dryRun" value="true"${checked(typed?.dryRun ?? false)}> dry run</label>
<label><input type="checkbox" name="requireApproval" value="true"${checked(typed?.requireApproval ?? true)}> require approval</label>
<button type="submit" class="primary">Submit</button>
</form></section>`
    : '';
  return html`${v.notice ? html`<p class="notice">${v.notice}</p>` : ''}${v.error ? html`<p class="error" role="alert">${v.error}</p>` : ''}${submit}
<section><h2>Jobs</h2>
<form method="get" action="/jobs" class="filters">
<label>Status <select name="status"><option value="">any</option>${JOB_STATUSES.map((st) => html`<option value="${st}"${v.filter.status === st ? ' selected' : ''}>${st}</option>`)}</select></label>
<label>Email <input type="text" name="email" value="${v.filter.email ?? ''}" maxlength="254"></label>
<button type="submit" class="plain">Filter</button>
</form>
<table><thead><tr><th>Job</th><th>Status</th><th>Kind</th><th>People</th><th>Requested by</th><th>Created</th><th>Scheduled</th></tr></thead>
<tbody>${rows.length ? rows : html`<tr><td colspan="7" class="muted">No jobs match.</td></tr>`}</tbody></table>
<p class="pager">${v.nextCursor ? html`<a href="/jobs${query({ status: v.filter.status, email: v.filter.email, cursor: v.nextCursor })}" rel="next">Older jobs →</a>` : ''}</p>
</section>`;
}
