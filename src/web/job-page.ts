import type { Principal } from '../auth/principal.js';
import { permits } from '../auth/principal.js';
import { describeSteps, type FileEvidence, type Task } from '../model/index.js';
import { html, type Html } from '../report/html.js';
import type { JobVerification } from '../report/write-report.js';
import type { StoredJob } from '../store/index.js';
import { jobKind } from '../engine/job-kinds/index.js';
import { statusBadge, when } from './layout.js';

export const TERMINAL_STATUSES = new Set(['succeeded', 'failed', 'cancelled']);

export interface JobView {
  principal: Principal;
  csrf: string;
  stored: StoredJob;
  /** Only for a finished job (re-hashing files while a job writes them would race). */
  verification: JobVerification | null;
  notice?: string | undefined;
  error?: string | undefined;
}

const fileUrl = (jobId: string, taskId: string, file: string) =>
  `/jobs/${encodeURIComponent(jobId)}/files/${encodeURIComponent(taskId)}/${file.split('/').map(encodeURIComponent).join('/')}`;

/** What an approver must see of an account: role and status, before and after. */
function accountState(u: { role: string | null; status: string } | null | undefined, missing: string): string {
  return u ? `${u.role ?? '(no role)'} · ${u.status}` : missing;
}

/**
 * Why the viewer sees (or does not see) Approve. The engine refuses self-approval and
 * a stale hash anyway; the page only avoids offering what would be refused.
 */
export function approvalState(principal: Principal, stored: StoredJob): 'may-approve' | 'own-job' | 'no-permission' | 'not-waiting' {
  if (stored.job.status !== 'awaiting_approval' || !stored.planHash) return 'not-waiting';
  if (!permits(principal, 'approve')) return 'no-permission';
  if (stored.meta.requestedBy === principal.id) return 'own-job';
  return 'may-approve';
}

function approvalSection(v: JobView): Html {
  const { stored } = v;
  const state = approvalState(v.principal, stored);
  const reasons = stored.approvalReasons.length ? html`<ul>${stored.approvalReasons.map((r) => html`<li>${r}</li>`)}</ul>` : html`<p class="muted">No approval required.</p>`;
  const hash = stored.planHash ? html`<p>Plan hash <code class="hash" data-plan-hash>${stored.planHash}</code></p>` : '';
  const approved = stored.approvedBy ? html`<p>Approved by <strong>${stored.approvedBy}</strong> ${stored.approvedHash === stored.planHash ? '(this plan)' : html`(an earlier plan: <code class="hash">${stored.approvedHash ?? ''}</code>)`}</p>` : '';
  let actions: Html | string = '';
  if (state === 'may-approve') {
    actions = html`<form method="post" action="/jobs/${encodeURIComponent(stored.job.id)}/approve" class="inline">
<input type="hidden" name="_csrf" value="${v.csrf}"><input type="hidden" name="planHash" value="${stored.planHash ?? ''}">
<button type="submit" class="primary">Approve this plan</button></form>
<form method="post" action="/jobs/${encodeURIComponent(stored.job.id)}/reject">
<input type="hidden" name="_csrf" value="${v.csrf}"><input type="hidden" name="planHash" value="${stored.planHash ?? ''}">
<p><label for="reason">Reason for rejecting</label><br><textarea id="reason" name="reason" required maxlength="1000"></textarea></p>
<button type="submit" class="danger">Reject</button></form>`;
  } else if (state === 'own-job') {
    actions = html`<p class="notice">You requested this job: another approver must approve or reject it.</p>`;
  }
  return html`<section><h2>Approval</h2>${reasons}${hash}${approved}${actions}</section>`;
}

function taskRow(jobId: string, t: Task): Html {
  const plan = t.plan;
  return html`<tr data-task-id="${t.id}">
<td>${t.app}</td><td>${t.subject.email}</td><td>${t.action}${t.params.role ? ` → ${t.params.role}` : ''}</td>
<td data-field="before">${plan ? accountState(plan.before, plan.noAccess ? 'no account (no access)' : 'no account') : html`<span class="muted">not planned yet</span>`}</td>
<td data-field="change">${plan ? (plan.steps?.length ? describeSteps(plan.steps) : plan.operations.length ? plan.operations.join(', ') : 'nothing to do') : ''}${plan ? html`<br><span class="muted">${plan.summary}</span>` : ''}</td>
<td data-field="after">${t.after ? accountState(t.after, '') : ''}</td>
<td><span class="status status-${t.status}" data-field="status">${t.status}</span></td>
<td data-field="outcome">${t.outcome ?? ''}</td>
<td data-field="detail">${t.error ? `${t.error.code}: ${t.error.message}` : (t.detail ?? '')}</td></tr>`;
}

function evidenceSection(jobId: string, tasks: Task[]): Html {
  const blocks = tasks.map((t) => {
    const files = t.evidence.filter((e): e is FileEvidence => e.kind === 'screenshot' || e.kind === 'trace');
    if (!files.length) return '';
    const shots = files.filter((f) => f.kind === 'screenshot');
    const traces = files.filter((f) => f.kind === 'trace');
    return html`<h3>${t.app} · ${t.subject.email}</h3>
<div class="thumbs">${shots.map((f) => html`<figure><a href="${fileUrl(jobId, t.id, f.path)}"><img src="${fileUrl(jobId, t.id, f.path)}" alt="${f.caption}" loading="lazy"></a><figcaption>${f.caption}</figcaption></figure>`)}</div>
${traces.length ? html`<ul>${traces.map((f) => html`<li><a href="${fileUrl(jobId, t.id, f.path)}" download>Trace: ${f.phase ?? f.caption}${f.attempt && f.attempt > 1 ? ` (attempt ${f.attempt})` : ''}</a></li>`)}</ul>` : ''}`;
  });
  if (blocks.every((b) => b === '')) return html``;
  return html`<section><h2>Evidence</h2>${blocks}
<p class="muted">Open a downloaded trace with <code>npx playwright show-trace --host 127.0.0.1 --port 9323 trace.zip</code> and browse to the address it prints.</p></section>`;
}

function verifySection(v: JobVerification | null): Html {
  if (!v) return html``;
  const bad = v.artifacts.filter((a) => !a.ok);
  return html`<section><h2>Verify</h2>
<p class="${v.ok ? 'chain-ok' : 'chain-bad'}" data-verify="${v.ok ? 'ok' : 'failed'}">${v.ok ? 'Verified' : 'Verification FAILED'}: audit chain of ${v.chain.records} records ${v.chain.ok ? 'intact' : `broken at ${v.chain.brokenAt ?? '?'}`}; ${v.artifacts.length ? `${v.artifacts.length - bad.length} of ${v.artifacts.length} evidence files match their hashes` : 'no evidence files (API work is recorded in the audit chain)'}.</p>
${bad.length ? html`<ul>${bad.map((a) => html`<li><code>${a.path}</code>: ${a.actual === null ? 'missing' : 'hash differs'}</li>`)}</ul>` : ''}</section>`;
}

function undoSection(v: JobView): Html {
  const { job } = v.stored;
  if (!permits(v.principal, 'submit') || !TERMINAL_STATUSES.has(job.status) || !jobKind(job.kind).undoable || job.dryRun) return html``;
  return html`<section><h2>Undo</h2><p>Submits a reversal of this job's changes; it waits for an approver.</p>
<form method="post" action="/jobs/${encodeURIComponent(job.id)}/undo"><input type="hidden" name="_csrf" value="${v.csrf}">
<button type="submit" class="plain">Undo this job</button></form></section>`;
}

export function renderJobPage(v: JobView): Html {
  const { job, meta } = v.stored;
  const live = !TERMINAL_STATUSES.has(job.status);
  return html`<div${live ? html` data-events="/jobs/${encodeURIComponent(job.id)}/events"` : ''}>
${v.notice ? html`<p class="notice">${v.notice}</p>` : ''}${v.error ? html`<p class="error">${v.error}</p>` : ''}
<section><h2>Job <code>${job.id}</code> ${statusBadge(job.status, 'job-status')} ${live ? html`<span class="muted" id="live">connecting…</span>` : ''}</h2>
<div class="grid"><span>Kind</span><span>${job.kind}${job.dryRun ? ' (dry run)' : ''}</span>
<span>Requested by</span><span>${meta.requestedBy ?? ''}</span>
<span>Created</span><span>${when(job.createdAt)}</span>
${meta.runAt ? html`<span>Scheduled</span><span>${when(meta.runAt)}</span>` : ''}
${job.finishedAt ? html`<span>Finished</span><span>${when(job.finishedAt)}</span>` : ''}</div>
${job.kind === 'review' ? html`<p><a href="/jobs/${encodeURIComponent(job.id)}/review">Review rows →</a></p>` : ''}</section>
${approvalSection(v)}
<section><h2>Plan and progress</h2>
<table><thead><tr><th>App</th><th>Person</th><th>Action</th><th>Before</th><th>Change</th><th>After</th><th>Status</th><th>Outcome</th><th>Detail</th></tr></thead>
<tbody>${job.tasks.map((t) => taskRow(job.id, t))}</tbody></table></section>
${evidenceSection(job.id, job.tasks)}${verifySection(v.verification)}${undoSection(v)}</div>`;
}
