import type { NotifyEvent } from '../config/notification-schema.js';
import type { StoredJob } from '../store/job-store.js';

/**
 * What a receiver is told about a job. Only what a person needs to act on it: ids,
 * kind, status, who asked, whose accounts, the plan hash, why approval is needed and
 * task counts. Never credentials, request bodies, evidence or server paths; links are
 * paths on the service (the sender does not know the URL people reach it by).
 */
export const MAX_PEOPLE_LISTED = 100;

export interface JobEventData {
  jobId: string;
  kind: string;
  status: NotifyEvent;
  dryRun: boolean;
  requestedBy: string | null;
  approvedBy: string | null;
  /** Distinct emails, first MAX_PEOPLE_LISTED; `peopleCount` has the total. */
  people: string[];
  peopleCount: number;
  apps: string[];
  planHash: string | null;
  approvalReasons: string[];
  /** Tasks per outcome (changed, noop, failed, awaiting_approval…), plus `total`. */
  counts: Record<string, number>;
  links: { job: string; report: string };
}

export interface JobEvent {
  type: `job.${NotifyEvent}`;
  /** When the status changed (ISO 8601); the send time is in `webhook-timestamp`. */
  timestamp: string;
  data: JobEventData;
}

export function jobEvent(stored: StoredJob, status: NotifyEvent, at: Date): JobEvent {
  const { job } = stored;
  const people = [...new Set(job.tasks.map((t) => t.subject.email))];
  const counts: Record<string, number> = { total: job.tasks.length };
  for (const t of job.tasks) {
    const key = t.outcome ?? t.status;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return {
    type: `job.${status}`,
    timestamp: at.toISOString(),
    data: {
      jobId: job.id,
      kind: job.kind,
      status,
      dryRun: job.dryRun,
      requestedBy: stored.meta.requestedBy ?? null,
      approvedBy: stored.approvedBy,
      people: people.slice(0, MAX_PEOPLE_LISTED),
      peopleCount: people.length,
      apps: [...new Set(job.tasks.map((t) => t.app))],
      planHash: stored.planHash,
      approvalReasons: stored.approvalReasons,
      counts,
      links: { job: `/v1/jobs/${encodeURIComponent(job.id)}`, report: `/v1/jobs/${encodeURIComponent(job.id)}/report` },
    },
  };
}

const SLACK_PEOPLE = 10;
const HEADLINE: Record<NotifyEvent, string> = {
  awaiting_approval: 'is waiting for approval',
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
};

/** Slack mrkdwn treats &, < and > as markup (links, mentions): text from a request must not become one. */
function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A Slack incoming-webhook body: `{ text }` built from the same event data, nothing more. */
export function slackBody(event: JobEvent): { text: string } {
  const d = event.data;
  const shown = d.people.slice(0, SLACK_PEOPLE);
  const more = d.peopleCount - shown.length;
  const lines = [
    `seatctl ${d.kind} job ${d.jobId} ${HEADLINE[d.status]}${d.dryRun ? ' (dry run)' : ''}`,
    `requested by ${d.requestedBy ?? 'unknown'}${d.approvedBy ? `, approved by ${d.approvedBy}` : ''}`,
    ...(d.peopleCount ? [`people: ${shown.join(', ')}${more > 0 ? ` (+${more} more)` : ''}`] : []),
    ...(d.approvalReasons.length ? [`needs approval because: ${d.approvalReasons.join('; ')}`] : []),
    `tasks: ${Object.entries(d.counts).filter(([k]) => k !== 'total').map(([k, n]) => `${n} ${k}`).join(', ') || 'none'} (of ${d.counts.total ?? 0})`,
    `job: ${d.links.job}`,
  ];
  return { text: slackEscape(lines.join('\n')) };
}
