import { SeatctlError } from '../errors/index.js';
import type { Delivery, DeliveryStatus } from './job-store.js';

/** A webhook delivery's row as both stores keep it (same column names and text times). */
export interface DeliveryRow {
  id: string;
  webhook: string;
  job_id: string;
  event: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
  settled_at: string | null;
}

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export function toDelivery(row: DeliveryRow): Delivery {
  if (!DELIVERY_STATUSES.includes(row.status as DeliveryStatus)) {
    throw new SeatctlError('INTERNAL', `job store: webhook delivery ${row.id} of job ${row.job_id} is damaged (status ${JSON.stringify(row.status)})`, { details: { jobId: row.job_id } });
  }
  return {
    id: row.id,
    webhook: row.webhook,
    jobId: row.job_id,
    event: row.event,
    body: row.body,
    createdAt: row.created_at,
    status: row.status as DeliveryStatus,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    settledAt: row.settled_at,
  };
}

/** Due times compare as text in SQL: every time stored must have toISOString's shape. */
export function isoTime(value: string, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new SeatctlError('INTERNAL', `job store: ${field} is not a date-time: ${JSON.stringify(value)}`);
  return time.toISOString();
}
