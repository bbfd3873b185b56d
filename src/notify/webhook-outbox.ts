import { randomUUID } from 'node:crypto';
import { NOTIFY_EVENTS, type NotifyEvent } from '../config/notification-schema.js';
import type { JobStatus } from '../model/index.js';
import type { Logger } from '../log/logger.js';
import type { JobStore, NewDelivery, StoredJob } from '../store/job-store.js';
import { jobEvent, slackBody } from './webhook-body.js';
import type { WebhookTarget } from './webhook-targets.js';

/**
 * Puts webhook messages in the store's outbox when a job's status changes to one a
 * webhook listens for. It wraps the store's setStatus, so every place the engine
 * changes a status (approval wait, finish, cancel, review, and any added later) is
 * covered without the engine knowing about webhooks (and its decide, where a rejection
 * cancels the job). The messages are written in the same transaction as the status
 * they announce, so a crash at any point either loses both or keeps both.
 */
export interface OutboxDeps {
  targets: ReadonlyMap<string, WebhookTarget>;
  log: Logger;
  /** Called after messages were stored: the delivery worker sends them now rather than at its next poll. */
  onEnqueued?: () => void;
  now?: () => Date;
}

const NOTIFIED = new Set<string>(NOTIFY_EVENTS);

export function newMessageId(): string {
  return `msg_${randomUUID().replace(/-/g, '')}`;
}

export function outboxMessages(stored: StoredJob, status: NotifyEvent, targets: Iterable<WebhookTarget>, at: Date): NewDelivery[] {
  const event = jobEvent(stored, status, at);
  return [...targets]
    .filter((t) => t.events.includes(status))
    .map((t) => ({
      id: newMessageId(),
      webhook: t.name,
      jobId: stored.job.id,
      event: status,
      body: JSON.stringify(t.format === 'slack' ? slackBody(event) : event),
      createdAt: at.toISOString(),
    }));
}

export function withWebhookOutbox(store: JobStore, deps: OutboxDeps): JobStore {
  const now = deps.now ?? (() => new Date());
  const wrapped = Object.create(store) as JobStore;
  const listened = (status: JobStatus): boolean => NOTIFIED.has(status) && [...deps.targets.values()].some((t) => t.events.includes(status as NotifyEvent));
  /** The messages about `status`, from the job as it is just before the change. */
  const messagesFor = async (jobId: string, status: JobStatus): Promise<NewDelivery[]> => {
    if (!listened(status)) return [];
    const stored = await store.get(jobId);
    return stored ? outboxMessages(stored, status as NotifyEvent, deps.targets.values(), now()) : [];
  };
  // The messages go into the store with the status change itself (one transaction),
  // and only if the status really changed: a stored change is always announced, a
  // status written twice once.
  wrapped.setStatus = async (jobId: string, status: JobStatus, finishedAt?: string | null) => {
    const messages = await messagesFor(jobId, status);
    await store.setStatus(jobId, status, finishedAt, messages);
    if (messages.length) deps.onEnqueued?.();
  };
  // A rejection cancels the job inside the store's decision write (so no approval can
  // complete beside it): its messages are stored in that same write.
  wrapped.decide = async (jobId, decision) => {
    const messages = decision.decision === 'reject' ? await messagesFor(jobId, 'cancelled') : [];
    const result = await store.decide(jobId, decision, messages);
    if (result.ok && messages.length) deps.onEnqueued?.();
    return result;
  };
  return wrapped;
}
