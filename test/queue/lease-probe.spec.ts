import { test, expect } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { leaseIsFree, withLease } from '../../src/queue/bullmq/lease.js';
import { createSqliteJobStore } from '../../src/store/sqlite-job-store.js';

/**
 * The sweep asks "does anyone run this job?" from the same process that may be running
 * it. Seen in CI after a Redis restart: a process's own sweep freed the lease of the job
 * that process was running, so the job could be started a second time elsewhere.
 */
test('the sweep\'s probe sees a lease its own process holds as taken, and leaves it held', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'seatctl-lease-'));
  const store = createSqliteJobStore({ file: path.join(dir, 'seatctl.db') });
  try {
    const owner = 'host:1:abc';
    const key = 'job:j-1';
    expect(await leaseIsFree(store, key, owner), 'nobody holds it yet').toBe(true);
    await withLease(store, key, owner, 60_000, async () => {
      expect(await leaseIsFree(store, key, owner), 'held by this very process').toBe(false);
      // Still held by the runner: another process cannot claim it.
      expect(await store.claimLease(key, 'other:2:def', 60_000)).toBe(false);
      expect(await store.renewLease(key, owner, 60_000)).toBe(true);
    }, () => undefined);
    expect(await leaseIsFree(store, key, owner), 'released after the run').toBe(true);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
