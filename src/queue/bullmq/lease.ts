import { SeatctlError } from '../../errors/index.js';
import type { JobStore } from '../../store/job-store.js';

/**
 * Runs `fn` while holding the store lease `key`, renewed every third of `leaseMs`.
 * BullMQ delivers at least once (a worker whose lock ran out can see its job given to
 * another), so the lease in the store, not the queue, decides who runs a job or task;
 * a held lease is LEASE_HELD (retryable): the queue tries again later.
 */
export async function withLease<T>(store: JobStore, key: string, owner: string, leaseMs: number, fn: () => Promise<T>, onLost: (key: string) => void): Promise<T> {
  if (!(await store.claimLease(key, owner, leaseMs))) {
    throw new SeatctlError('LEASE_HELD', `${key} is being run by another process`, { details: { lease: key } });
  }
  const beat = setInterval(() => {
    store.renewLease(key, owner, leaseMs).then(
      (held) => {
        if (!held) onLost(key);
      },
      () => onLost(key),
    );
  }, Math.max(250, Math.floor(leaseMs / 3)));
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    await store.releaseLease(key, owner).catch(() => undefined);
  }
}

/**
 * Whether someone runs `key` now: claimed for a moment and released at once when free.
 * The sweep uses it to leave running jobs alone.
 */
export async function leaseIsFree(store: JobStore, key: string, owner: string): Promise<boolean> {
  if (!(await store.claimLease(key, owner, 1_000))) return false;
  await store.releaseLease(key, owner);
  return true;
}
