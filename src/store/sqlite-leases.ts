import type { Database } from 'better-sqlite3';
import type { JobStore } from './job-store.js';
import { checkLeaseArgs, leaseExpiry } from './lease-args.js';

/**
 * The lease half of the SQLite store (see JobStore.claimLease). Each method is one
 * statement, hence atomic across processes on the same file: the claim is an upsert
 * whose update only happens when the row is ours or expired, so of two owners racing
 * for a key exactly one sees a changed row. Times are toISOString text, which compares
 * in time order.
 */
type LeaseMethods = Pick<JobStore, 'claimLease' | 'renewLease' | 'releaseLease'>;

export function sqliteLeaseMethods(db: Database, now: () => Date): LeaseMethods {
  const claim = db.prepare<[{ key: string; owner: string; now: string; expiresAt: string }]>(`
    INSERT INTO leases (key, owner, expires_at) VALUES (@key, @owner, @expiresAt)
    ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
    WHERE leases.owner = excluded.owner OR leases.expires_at <= @now`);
  const renew = db.prepare<[{ key: string; owner: string; expiresAt: string }]>('UPDATE leases SET expires_at = @expiresAt WHERE key = @key AND owner = @owner');
  const release = db.prepare<[{ key: string; owner: string }]>('DELETE FROM leases WHERE key = @key AND owner = @owner');

  return {
    async claimLease(key, owner, leaseMs) {
      checkLeaseArgs(key, owner, leaseMs);
      const at = now();
      return claim.run({ key, owner, now: at.toISOString(), expiresAt: leaseExpiry(at, leaseMs) }).changes === 1;
    },
    async renewLease(key, owner, leaseMs) {
      checkLeaseArgs(key, owner, leaseMs);
      return renew.run({ key, owner, expiresAt: leaseExpiry(now(), leaseMs) }).changes === 1;
    },
    async releaseLease(key, owner) {
      checkLeaseArgs(key, owner);
      release.run({ key, owner });
    },
  };
}
