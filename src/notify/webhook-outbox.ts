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
 * cancels the job). The messages are written right
 * after the status, before the engine takes its next step, so a restart finds them;
 * only a crash between those two writes loses one (documented in docs/notifications.md).
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
  const enqueue = async (jobId: string, status: JobStatus): Promise<void> => {
    try {
      const stored = await store.get(jobId);
      if (!stored) return;
      const messages = outboxMessages(stored, status as NotifyEvent, deps.targets.values(), now());
      await store.enqueueDeliveries(messages);
      deps.onEnqueued?.();
    } catch (err) {
      // A job's lifecycle never depends on its notifications; the loss is logged loudly.
      deps.log.error({ job: jobId, event: status, err: (err as Error).message }, 'could not queue webhook notifications');
    }
  };
  wrapped.setStatus = async (jobId: string, status: JobStatus, finishedAt?: string | null) => {
    const wanted = listened(status);
    // Only a change is news: a job asked for approval again after a re-plan is, the same status written twice is not.
    const before = wanted ? (await store.get(jobId))?.job.status : undefined;
    await store.setStatus(jobId, status, finishedAt);
    if (wanted && before !== status) await enqueue(jobId, status);
  };
  // A rejection cancels the job inside the store's decision write (so no approval can
  // complete beside it): that status change is announced here.
  wrapped.decide = async (jobId, decision) => {
    const result = await store.decide(jobId, decision);
    if (result.ok && decision.decision === 'reject' && listened('cancelled')) await enqueue(jobId, 'cancelled');
    return result;
  };
  return wrapped;
}
