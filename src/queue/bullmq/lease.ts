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
 * The sweep uses it to leave running jobs alone. The probe claims under an owner of its
 * own: a claim under the process's owner would succeed on a lease this very process
 * holds (a claim renews its owner's lease) and the release would then delete it, so the
 * sweep would re-queue a job its own process is running and free it for a second run.
 */
export async function leaseIsFree(store: JobStore, key: string, owner: string): Promise<boolean> {
  const probe = `${owner}#probe`;
  if (!(await store.claimLease(key, probe, 1_000))) return false;
  await store.releaseLease(key, probe);
  return true;
}
