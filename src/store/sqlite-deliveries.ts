import type { Database } from 'better-sqlite3';
import type { Delivery, DeliverySettlement, JobStore, NewDelivery } from './job-store.js';
import { isoTime, toDelivery, type DeliveryRow } from './delivery-rows.js';

/**
 * The webhook outbox half of the SQLite store (see JobStore.enqueueDeliveries…).
 * Claiming is one IMMEDIATE transaction, so two processes on one file never take the
 * same delivery while its lease runs.
 */
type DeliveryMethods = Pick<JobStore, 'enqueueDeliveries' | 'claimDeliveries' | 'settleDelivery' | 'deliveries'>;


/**
 * Inserts outbox messages inside whatever transaction is open (the caller's status
 * change, or enqueueDeliveries' own); an id already stored is left as it is.
 */
export function deliveryInserter(db: Database): (deliveries: readonly NewDelivery[]) => void {
  const insert = db.prepare(`
    INSERT INTO webhook_deliveries (id, webhook, job_id, event, body, status, attempts, next_attempt_at, created_at)
    VALUES (@id, @webhook, @jobId, @event, @body, 'pending', 0, @createdAt, @createdAt)
    ON CONFLICT (id) DO NOTHING`);
  return (deliveries) => {
    for (const d of deliveries) insert.run({ id: d.id, webhook: d.webhook, jobId: d.jobId, event: d.event, body: d.body, createdAt: isoTime(d.createdAt, 'createdAt') });
  };
}

export function sqliteDeliveryMethods(db: Database, now: () => Date): DeliveryMethods {
  const insertAll = deliveryInserter(db);
  const due = db.prepare<[string, number], DeliveryRow>(`
    SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
    ORDER BY next_attempt_at, created_at, id LIMIT ?`);
  const claim = db.prepare<[{ id: string; until: string }]>('UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = @until WHERE id = @id');
  const settle = db.prepare<[Record<string, string | null>]>(`
    UPDATE webhook_deliveries
    SET status = @status, last_error = @error,
        next_attempt_at = COALESCE(@nextAttemptAt, next_attempt_at),
        settled_at = CASE WHEN @status = 'pending' THEN NULL ELSE @at END
    WHERE id = @id AND status = 'pending'`);
  const byJob = db.prepare<[string], DeliveryRow>('SELECT * FROM webhook_deliveries WHERE job_id = ? ORDER BY created_at, id');
  const all = db.prepare<[], DeliveryRow>('SELECT * FROM webhook_deliveries ORDER BY created_at, id');

  const enqueue = db.transaction((deliveries: NewDelivery[]) => insertAll(deliveries));
  const claimDue = db.transaction((at: Date, leaseMs: number, limit: number): Delivery[] => {
    const until = new Date(at.getTime() + leaseMs).toISOString();
    return due.all(at.toISOString(), limit).map((row) => {
      claim.run({ id: row.id, until });
      return toDelivery({ ...row, attempts: row.attempts + 1, next_attempt_at: until });
    });
  });

  return {
    async enqueueDeliveries(deliveries) {
      enqueue.immediate(deliveries);
    },
    async claimDeliveries(at, leaseMs, limit) {
      return claimDue.immediate(at, leaseMs, limit);
    },
    async settleDelivery(id, result: DeliverySettlement) {
      // Only a pending delivery changes: a late result never reopens a settled one.
      settle.run({
        id,
        status: result.status,
        error: result.status === 'delivered' ? null : result.error,
        nextAttemptAt: result.status === 'pending' ? isoTime(result.nextAttemptAt, 'nextAttemptAt') : null,
        at: now().toISOString(),
      });
    },
    async deliveries(jobId) {
      return (jobId === undefined ? all.all() : byJob.all(jobId)).map(toDelivery);
    },
  };
}
