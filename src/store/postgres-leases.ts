import type pg from 'pg';
import type { JobStore } from './job-store.js';
import { checkLeaseArgs, leaseExpiry } from './lease-args.js';

/**
 * The lease half of the PostgreSQL store (see JobStore.claimLease), the same statements
 * as SQLite's. The claim is one upsert: when two owners race for a new key, the second
 * insert waits for the first to commit, then finds the conflict and re-checks the WHERE
 * against the committed row (ours? expired?), so exactly one of them changes a row.
 * Times are the store's clock as toISOString text ("C" collation: time order).
 */
type LeaseMethods = Pick<JobStore, 'claimLease' | 'renewLease' | 'releaseLease'>;

export function postgresLeaseMethods(pool: pg.Pool, now: () => Date): LeaseMethods {
  return {
    async claimLease(key, owner, leaseMs) {
      checkLeaseArgs(key, owner, leaseMs);
      const at = now();
      const result = await pool.query(
        `INSERT INTO leases (key, owner, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
         WHERE leases.owner = EXCLUDED.owner OR leases.expires_at <= $4`,
        [key, owner, leaseExpiry(at, leaseMs), at.toISOString()],
      );
      return result.rowCount === 1;
    },
    async renewLease(key, owner, leaseMs) {
      checkLeaseArgs(key, owner, leaseMs);
      const result = await pool.query('UPDATE leases SET expires_at = $3 WHERE key = $1 AND owner = $2', [key, owner, leaseExpiry(now(), leaseMs)]);
      return result.rowCount === 1;
    },
    async releaseLease(key, owner) {
      checkLeaseArgs(key, owner);
      await pool.query('DELETE FROM leases WHERE key = $1 AND owner = $2', [key, owner]);
    },
  };
}
