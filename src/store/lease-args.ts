import { SeatctlError } from '../errors/index.js';

/**
 * Checks shared by every store's lease methods. Keys and owners come from the engine,
 * never from users, so a bad one is a bug (INTERNAL), refused before anything is written:
 * an empty owner would let every caller "own" a lease, a zero lease would be born expired.
 */
export const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

export function checkLeaseArgs(key: string, owner: string, leaseMs?: number): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > 512) throw new SeatctlError('INTERNAL', 'job store: a lease key must be a non-empty string (at most 512 characters)');
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > 512) throw new SeatctlError('INTERNAL', `job store: lease ${key}: the owner must be a non-empty string (at most 512 characters)`);
  if (leaseMs !== undefined && (!Number.isInteger(leaseMs) || leaseMs < 1 || leaseMs > MAX_LEASE_MS)) {
    throw new SeatctlError('INTERNAL', `job store: lease ${key}: leaseMs must be an integer from 1 to ${MAX_LEASE_MS}`);
  }
}

/** When a lease taken or renewed at `now` runs out, in the stores' time format. */
export function leaseExpiry(now: Date, leaseMs: number): string {
  return new Date(now.getTime() + leaseMs).toISOString();
}
