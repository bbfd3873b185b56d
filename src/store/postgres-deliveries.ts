import type pg from 'pg';
import type { DeliverySettlement, JobStore, NewDelivery } from './job-store.js';
import { inTransaction } from './postgres-connection.js';
import type { Queryable } from './postgres-pool.js';
import { isoTime, toDelivery, type DeliveryRow } from './delivery-rows.js';

/**
 * The webhook outbox half of the PostgreSQL store (see JobStore.enqueueDeliveries…).
 * A claim locks the due rows with FOR UPDATE SKIP LOCKED: senders in several processes
 * each take different deliveries at once instead of queueing behind one another, and a
 * row another sender has just leased no longer matches `next_attempt_at <= now`.
 */
type DeliveryMethods = Pick<JobStore, 'enqueueDeliveries' | 'claimDeliveries' | 'settleDelivery' | 'deliveries'>;


/** Inserts outbox messages on the caller's connection (inside its transaction); an id already stored is left as it is. */
export async function insertDeliveries(db: Queryable, deliveries: readonly NewDelivery[]): Promise<void> {
  for (const d of deliveries) {
    const createdAt = isoTime(d.createdAt, 'createdAt');
    await db.query(
      `INSERT INTO webhook_deliveries (id, webhook, job_id, event, body, status, attempts, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)
       ON CONFLICT (id) DO NOTHING`,
      [d.id, d.webhook, d.jobId, d.event, d.body, createdAt],
    );
  }
}

export function postgresDeliveryMethods(pool: pg.Pool, now: () => Date): DeliveryMethods {
  return {
    async enqueueDeliveries(deliveries) {
      await inTransaction(pool, (client) => insertDeliveries(client, deliveries));
    },

    async claimDeliveries(at, leaseMs, limit) {
      const until = new Date(at.getTime() + leaseMs).toISOString();
      return inTransaction(pool, async (client) => {
        const { rows } = await client.query<DeliveryRow>(
          `SELECT * FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1
           ORDER BY next_attempt_at, created_at, id LIMIT $2
           FOR UPDATE SKIP LOCKED`,
          [at.toISOString(), limit],
        );
        if (rows.length === 0) return [];
        await client.query('UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = $1 WHERE id = ANY($2::text[])', [until, rows.map((r) => r.id)]);
        return rows.map((row) => toDelivery({ ...row, attempts: row.attempts + 1, next_attempt_at: until }));
      });
    },

    async settleDelivery(id, result: DeliverySettlement) {
      // Only a pending delivery changes: a late result never reopens a settled one.
      await pool.query(
        `UPDATE webhook_deliveries
         SET status = $2, last_error = $3,
             next_attempt_at = COALESCE($4, next_attempt_at),
             settled_at = CASE WHEN $2 = 'pending' THEN NULL ELSE $5 END
         WHERE id = $1 AND status = 'pending'`,
        [
          id,
          result.status,
          result.status === 'delivered' ? null : result.error,
          result.status === 'pending' ? isoTime(result.nextAttemptAt, 'nextAttemptAt') : null,
          now().toISOString(),
        ],
      );
    },

    async deliveries(jobId) {
      const { rows } =
        jobId === undefined
          ? await pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries ORDER BY created_at, id')
          : await pool.query<DeliveryRow>('SELECT * FROM webhook_deliveries WHERE job_id = $1 ORDER BY created_at, id', [jobId]);
      return rows.map(toDelivery);
    },
  };
}
