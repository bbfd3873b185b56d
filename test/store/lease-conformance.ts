import { expect } from '@playwright/test';
import type { StoreTest } from './outbox-conformance.js';

/**
 * Issue 14, leases: the store half of "several workers, one owner per job/task". Run by
 * storeConformance for every backend. Every handle shares one movable clock, the way
 * several processes share the wall clock, so expiry is tested without waiting.
 */
const T0 = Date.UTC(2026, 6, 1, 12, 0, 0);

export function leaseConformance(name: string, test: StoreTest): void {
  test.describe(`job store conformance (leases, issue 14): ${name}`, () => {
    test('two owners racing for a key from two handles: exactly one gets it, and keeps it while it runs', async ({ h }) => {
      let clock = T0;
      const now = () => new Date(clock);
      const a = await h.open({ now });
      const b = await h.open({ now });
      for (let round = 0; round < 5; round++) {
        const key = `job:job_race_${round}`;
        const results = await Promise.all([a.claimLease(key, 'worker-a', 30_000), b.claimLease(key, 'worker-b', 30_000)]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results[0] ? 'worker-a' : 'worker-b';
        const loser = results[0] ? 'worker-b' : 'worker-a';
        clock += 29_999;
        expect(await b.claimLease(key, loser, 30_000)).toBe(false);
        // The winner claiming again is a renewal, not a refusal.
        expect(await a.claimLease(key, winner, 30_000)).toBe(true);
      }
      // Other keys are independent.
      expect(await a.claimLease('task:job_race_0/t01-bigid', 'worker-b', 30_000)).toBe(true);
    });

    test('an expired lease can be taken by another owner; until then it cannot', async ({ h }) => {
      let clock = T0;
      const store = await h.open({ now: () => new Date(clock) });
      expect(await store.claimLease('job:job_exp', 'worker-a', 10_000)).toBe(true);
      clock += 9_999;
      expect(await store.claimLease('job:job_exp', 'worker-b', 10_000)).toBe(false);
      clock += 1;
      expect(await store.claimLease('job:job_exp', 'worker-b', 10_000)).toBe(true);
      expect(await store.claimLease('job:job_exp', 'worker-a', 10_000)).toBe(false);
    });

    test('renewing moves the expiry ahead; a renewal after the lease was lost returns false and takes nothing back', async ({ h }) => {
      let clock = T0;
      const store = await h.open({ now: () => new Date(clock) });
      expect(await store.claimLease('task:job_r/t01', 'worker-a', 10_000)).toBe(true);
      clock += 8_000;
      expect(await store.renewLease('task:job_r/t01', 'worker-a', 10_000)).toBe(true);
      // Past the first expiry, inside the renewed one: still worker-a's.
      clock += 8_000;
      expect(await store.claimLease('task:job_r/t01', 'worker-b', 10_000)).toBe(false);
      // worker-a stalls past its lease and worker-b takes the task.
      clock += 10_001;
      expect(await store.claimLease('task:job_r/t01', 'worker-b', 10_000)).toBe(true);
      expect(await store.renewLease('task:job_r/t01', 'worker-a', 10_000)).toBe(false);
      expect(await store.claimLease('task:job_r/t01', 'worker-a', 10_000)).toBe(false);
      // A key nobody ever claimed cannot be renewed either.
      expect(await store.renewLease('task:job_r/never', 'worker-a', 10_000)).toBe(false);
      // A released lease is lost too.
      await store.releaseLease('task:job_r/t01', 'worker-b');
      expect(await store.renewLease('task:job_r/t01', 'worker-b', 10_000)).toBe(false);
    });

    test('release frees the key for others; a release by a non-owner is a no-op', async ({ h }) => {
      const clock = T0;
      const store = await h.open({ now: () => new Date(clock) });
      const other = await h.open({ now: () => new Date(clock) });
      expect(await store.claimLease('job:job_rel', 'worker-a', 60_000)).toBe(true);
      await other.releaseLease('job:job_rel', 'worker-b');
      expect(await other.claimLease('job:job_rel', 'worker-b', 60_000)).toBe(false);
      expect(await store.renewLease('job:job_rel', 'worker-a', 60_000)).toBe(true);
      await other.releaseLease('job:job_unknown', 'worker-b');
      await store.releaseLease('job:job_rel', 'worker-a');
      expect(await other.claimLease('job:job_rel', 'worker-b', 60_000)).toBe(true);
    });

    test('leases survive a reopen; bad arguments are refused before anything is written', async ({ h }) => {
      const clock = T0;
      const store = await h.open({ now: () => new Date(clock) });
      expect(await store.claimLease('job:job_dur', 'worker-a', 60_000)).toBe(true);
      await store.close();
      const reopened = await h.open({ now: () => new Date(clock) });
      expect(await reopened.claimLease('job:job_dur', 'worker-b', 60_000)).toBe(false);
      expect(await reopened.renewLease('job:job_dur', 'worker-a', 60_000)).toBe(true);
      await expect(reopened.claimLease('job:job_bad', '', 60_000)).rejects.toMatchObject({ code: 'INTERNAL' });
      await expect(reopened.claimLease('', 'worker-a', 60_000)).rejects.toMatchObject({ code: 'INTERNAL' });
      await expect(reopened.claimLease('job:job_bad', 'worker-a', 0)).rejects.toMatchObject({ code: 'INTERNAL' });
      await expect(reopened.renewLease('job:job_dur', 'worker-a', 1.5)).rejects.toMatchObject({ code: 'INTERNAL' });
      expect(await reopened.claimLease('job:job_bad', 'worker-b', 60_000)).toBe(true);
    });
  });
}
