import { describeSteps, type Job, type Task } from '../model/index.js';
import { esc, html, raw, type Html } from './html.js';
import { REPORT_CSS } from './report-styles.js';
import type { ArtifactCheck } from './verify-artifacts.js';
import type { ApprovalState } from '../engine/approval-state.js';

/**
 * One self-contained HTML file per job: the plan, each task's outcome, timings,
 * retries, read-back, the screenshot trail inline with captions, and whether the
 * audit chain and every artifact still verify. Pure: all I/O happens before.
 */
export interface ReportInput {
  job: Job;
  planHash: string | null;
  approvedHash: string | null;
  approvedBy: string | null;
  approvalReasons: string[];
  /** Who asked for the job (a principal id), when known. */
  requestedBy: string | null;
  approval: ApprovalState;
  chain: { ok: boolean; records: number; brokenAt?: number | undefined };
  artifacts: ArtifactCheck[];
  /** `imageKey(taskId, path)` → data: URL, for screenshots to show inline. */
  images: Map<string, string>;
  generatedAt: string;
}

/**
 * Screenshot file names repeat across tasks (`04-deactivate-01.jpg` in every console
 * task), so an image is only ever looked up by its task and path together.
 */
export const imageKey = (taskId: string, file: string): string => `${taskId}/${file}`;

const duration = (t: Task): string =>
  t.startedAt && t.finishedAt ? `${((Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000).toFixed(1)} s` : '—';

const userCell = (u: Task['after']): Html =>
  u ? html`${u.name} &lt;${u.email}&gt; · ${u.status} · ${u.role ?? 'no role'} <span class="muted">(${u.id})</span>` : html`<span class="muted">none</span>`;

/**
 * After a change, a null `after` is what the read-back found: the account is no longer
 * listed (an app that hides deactivated members, or a delete). Say that, with the
 * read-back's own note, rather than a bare "none" an auditor could take for "not checked".
 */
function afterCell(t: Task): Html {
  if (t.after || t.outcome !== 'changed') return userCell(t.after);
  const readBack = t.notes.find((n) => n.startsWith('read back: '));
  return html`<span class="muted">not listed after the change</span>${readBack ? html` — ${readBack.slice('read back: '.length)}` : ''}`;
}

/** The caption names the task (app, person, step) so a picture is never mistaken for another task's. */
function screenshotFigure(t: Task, s: ArtifactCheck, index: number, src: string | undefined): Html {
  const caption = `${t.app} · ${t.subject.email} · step ${index + 1}: ${s.caption}`;
  return html`<figure data-task="${t.id}" data-file="${s.path}">${src ? html`<img alt="${caption}" src="${src}">` : html`<div class="chain-bad">missing ${s.path}</div>`}<figcaption>${caption}${s.ok ? '' : html` <span class="chain-bad">— file does not match its recorded hash</span>`}</figcaption></figure>`;
}

/** Who asked, who approved which plan, who rejected it and why, and what is still missing. */
function approvalSection(input: ReportInput): Html {
  const a = input.approval;
  const rows = [
    ...a.approvals.map((x) => html`<tr><td>approved</td><td>${x.by}</td><td>${x.at}</td><td><code>${x.planHash}</code>${x.planHash === input.planHash ? '' : html` <span class="muted">(an earlier plan: does not count)</span>`}</td><td></td></tr>`),
    ...(a.rejection ? [html`<tr><td>rejected</td><td>${a.rejection.by}</td><td>${a.rejection.at}</td><td><code>${a.rejection.planHash}</code></td><td>${a.rejection.reason}</td></tr>`] : []),
  ];
  return html`<section id="approvals">
  <h2>Requester and approvers</h2>
  <p>requested by <strong>${input.requestedBy ?? 'unknown'}</strong>${a.required ? html` · needs ${a.approvers} distinct approver(s), none of them the requester${a.needed ? html` · <strong>${a.needed} more approval(s) needed</strong>` : ''}` : ' · no approval required'}</p>
  ${rows.length ? html`<table><tr><th>decision</th><th>by</th><th>at</th><th>plan hash</th><th>reason</th></tr>${rows}</table>` : ''}
</section>`;
}

function taskSection(t: Task, input: ReportInput): Html {
  const shots = input.artifacts.filter((a) => a.taskId === t.id && a.kind === 'screenshot');
  const files = input.artifacts.filter((a) => a.taskId === t.id && a.kind !== 'screenshot');
  const requests = t.evidence.filter((e) => e.kind === 'request');
  const notes = t.evidence.filter((e) => e.kind === 'note');
  return html`<section id="task-${t.id}" data-task="${t.id}">
  <h2>${t.app} · ${t.action} ${t.subject.email} <span class="outcome ${t.outcome ?? 'pending'}">${t.outcome ?? t.status}</span></h2>
  <table>
    <tr><th>plan</th><td>${t.plan?.summary ?? '—'}</td></tr>
    ${t.plan?.steps?.length ? html`<tr><th>steps</th><td data-field="steps">${describeSteps(t.plan.steps)}</td></tr>` : ''}
    <tr><th>before</th><td>${userCell(t.plan?.before ?? null)}</td></tr>
    <tr><th>after (read back)</th><td>${afterCell(t)}</td></tr>
    <tr><th>detail</th><td>${t.detail ?? ''}</td></tr>
    ${t.error ? html`<tr><th>error</th><td><code>${t.error.code}</code> ${t.error.message}</td></tr>` : ''}
    ${t.notes.length ? html`<tr><th>notes</th><td>${t.notes.map((n) => html`<div>${n}</div>`)}</td></tr>` : ''}
    <tr><th>attempts</th><td>${t.attempts} · ${duration(t)}</td></tr>
  </table>
  ${notes.length ? html`<h3>Retries and notes</h3><ul>${notes.map((n) => html`<li>${n.at} ${'text' in n ? n.text : ''}</li>`)}</ul>` : ''}
  ${requests.length ? html`<h3>Requests</h3><table><tr><th>at</th><th>request</th><th>status</th><th>ms</th></tr>${requests.map((r) => (r.kind === 'request' ? html`<tr><td>${r.at}</td><td><code>${r.method} ${r.url}</code>${r.planned ? ' (planned, not sent)' : ''}</td><td>${r.status ?? r.error ?? ''}</td><td>${r.durationMs}</td></tr>` : ''))}</table>` : ''}
  ${shots.length ? html`<h3>Screenshot trail</h3>${shots.map((s, i) => screenshotFigure(t, s, i, input.images.get(imageKey(t.id, s.path))))}` : ''}
  ${files.length ? html`<h3>Files</h3><ul>${files.map((f) => html`<li><code>${f.path}</code> ${f.caption} ${f.ok ? html`<span class="chain-ok">✔ hash</span>` : html`<span class="chain-bad">✘ hash mismatch</span>`}</li>`)}</ul>` : ''}
</section>`;
}

export function renderJobReport(input: ReportInput): string {
  const { job } = input;
  const badArtifacts = input.artifacts.filter((a) => !a.ok);
  const verified = input.chain.ok && badArtifacts.length === 0;
  const body = html`<header><h1>seatctl job ${job.id}</h1><div>${job.kind} · ${job.status}${job.dryRun ? ' · dry run' : ''} · created ${job.createdAt}${job.finishedAt ? html` · finished ${job.finishedAt}` : ''}</div></header>
<main>
<section>
  <h2>Integrity</h2>
  <p class="${verified ? 'chain-ok' : 'chain-bad'}" id="verification">${verified ? '✔ verified' : '✘ NOT verified'}: audit chain ${input.chain.ok ? `intact (${input.chain.records} records)` : `broken at record ${input.chain.brokenAt ?? '?'}`}; ${input.artifacts.length - badArtifacts.length}/${input.artifacts.length} artifacts match their hashes.</p>
  ${badArtifacts.length ? html`<ul>${badArtifacts.map((a) => html`<li class="chain-bad">${a.taskId}/${a.path}: ${a.actual ? 'edited' : 'missing'}</li>`)}</ul>` : ''}
  <p class="muted">plan hash <code>${input.planHash ?? '—'}</code>${input.approvedHash ? html` · approved by ${input.approvedBy ?? '?'} for <code>${input.approvedHash}</code>` : ''}${input.approvalReasons.length ? html` · approval required: ${input.approvalReasons.join('; ')}` : ''}</p>
</section>
${approvalSection(input)}
<section>
  <h2>Plan and outcomes</h2>
  <table><tr><th>app</th><th>action</th><th>person</th><th>plan</th><th>outcome</th><th>time</th></tr>
  ${job.tasks.map((t) => html`<tr><td>${t.app}</td><td>${t.action}</td><td>${t.subject.email}</td><td>${t.plan?.summary ?? '—'}</td><td><span class="outcome ${t.outcome ?? 'pending'}">${t.outcome ?? t.status}</span></td><td>${duration(t)}</td></tr>`)}
  </table>
</section>
${job.tasks.map((t) => taskSection(t, input))}
<p class="muted">generated ${input.generatedAt} by seatctl</p>
</main>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"><title>seatctl job ${esc(job.id)}</title><style>${REPORT_CSS}</style></head><body>${raw(body.value).value}</body></html>\n`;
}
