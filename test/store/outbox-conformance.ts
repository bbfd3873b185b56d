import { expect, type PlaywrightTestArgs, type PlaywrightTestOptions, type PlaywrightWorkerArgs, type PlaywrightWorkerOptions, type TestType } from '@playwright/test';
import type { JobStore, NewDelivery } from '../../src/store/job-store.js';
import type { StoreHarness } from './store-conformance.js';
import { makeJob } from './store-fixtures.js';

/**
 * Issue 13 item 4, the webhook outbox half of the store contract: messages survive a
 * reopen, a claim is a lease (no second sender takes a delivery while it runs), the
 * attempt count and next attempt time are the store's, and a settled delivery stays
 * settled. Run by storeConformance for every backend.
 */
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** The `test` storeConformance extends with its harness (`h`) and a store on it. */
export type StoreTest = TestType<PlaywrightTestArgs & PlaywrightTestOptions & { h: StoreHarness; store: JobStore }, PlaywrightWorkerArgs & PlaywrightWorkerOptions>;

export function outboxConformance(name: string, test: StoreTest): void {
  /** A handle whose clock is pinned at T0 (settledAt is the store's time). */
  const pinned = (h: StoreHarness) => h.open({ now: () => at(0) });

  async function jobWithMessages(store: JobStore, count: number, createdAt = (i: number) => at(i).toISOString()): Promise<NewDelivery[]> {
    const { job, meta } = makeJob();
    await store.create(job, meta);
    const messages = Array.from({ length: count }, (_, i) => ({
      id: `msg_${job.id}_${i}`,
      webhook: i % 2 ? 'slack' : 'ops',
      jobId: job.id,
      event: 'succeeded',
      body: JSON.stringify({ type: 'job.succeeded', n: i, text: 'ünïcode <b>' }),
      createdAt: createdAt(i),
    }));
    await store.enqueueDeliveries(messages);
    return messages;
  }

  test.describe(`job store conformance (webhook outbox, issue 13 item 4): ${name}`, () => {
    test('enqueued messages read back pending, byte-exact, once per id', async ({ h }) => {
      const store = await pinned(h);
      const messages = await jobWithMessages(store, 3);
      // The same id again (a retried enqueue) adds nothing and changes nothing.
      await store.enqueueDeliveries([{ ...messages[0]!, body: '{"changed":true}' }]);
      const stored = await store.deliveries(messages[0]!.jobId);
      expect(stored).toEqual(messages.map((m) => ({ ...m, status: 'pending', attempts: 0, nextAttemptAt: m.createdAt, lastError: null, settledAt: null })));
      expect(await store.deliveries()).toHaveLength(3);
      const other = makeJob();
      await store.create(other.job, other.meta);
      expect(await store.deliveries(other.job.id)).toEqual([]);
    });

    test('a claim takes due messages oldest first, counts an attempt and leases them', async ({ h }) => {
      const store = await pinned(h);
      const messages = await jobWithMessages(store, 3, (i) => at(i * 10).toISOString());
      expect(await store.claimDeliveries(at(-1), 30_000, 10)).toEqual([]);
      const first = await store.claimDeliveries(at(15), 30_000, 10);
      expect(first.map((d) => d.id)).toEqual([messages[0]!.id, messages[1]!.id]);
      expect(first.every((d) => d.attempts === 1 && d.nextAttemptAt === at(45).toISOString())).toBe(true);
      // Leased: not claimable again until the lease ends, while the third came due.
      expect((await store.claimDeliveries(at(25), 30_000, 10)).map((d) => d.id)).toEqual([messages[2]!.id]);
      const expired = await store.claimDeliveries(at(46), 30_000, 1);
      expect(expired.map((d) => [d.id, d.attempts])).toEqual([[messages[0]!.id, 2]]);
    });

    test('settling: retry later, delivered and failed are kept; a settled one never reopens', async ({ h }) => {
      const store = await pinned(h);
      const [a, b, c] = await jobWithMessages(store, 3);
      await store.claimDeliveries(at(5), 1000, 10);
      await store.settleDelivery(a!.id, { status: 'pending', nextAttemptAt: at(60).toISOString(), error: 'webhook ops: POST returned 503' });
      await store.settleDelivery(b!.id, { status: 'delivered' });
      await store.settleDelivery(c!.id, { status: 'failed', error: 'webhook slack: POST returned 410' });
      // Late results for settled deliveries change nothing.
      await store.settleDelivery(b!.id, { status: 'failed', error: 'late' });
      await store.settleDelivery(c!.id, { status: 'delivered' });
      const byId = new Map((await store.deliveries(a!.jobId)).map((d) => [d.id, d]));
      expect(byId.get(a!.id)).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(60).toISOString(), lastError: 'webhook ops: POST returned 503', settledAt: null });
      expect(byId.get(b!.id)).toMatchObject({ status: 'delivered', attempts: 1, lastError: null, settledAt: at(0).toISOString() });
      expect(byId.get(c!.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'webhook slack: POST returned 410', settledAt: at(0).toISOString() });
      expect(await store.claimDeliveries(at(59), 1000, 10)).toEqual([]);
      expect((await store.claimDeliveries(at(60), 1000, 10)).map((d) => [d.id, d.attempts])).toEqual([[a!.id, 2]]);
    });

    test('messages given with a status change are stored in the same write, and only when the status changes', async ({ h }) => {
      const store = await pinned(h);
      const { job, meta } = makeJob();
      await store.create(job, meta);
      const message = (n: number): NewDelivery => ({ id: `msg_${job.id}_s${n}`, webhook: 'ops', jobId: job.id, event: 'succeeded', body: `{"n":${n}}`, createdAt: at(n).toISOString() });
      await store.setStatus(job.id, 'running');
      await store.setStatus(job.id, 'succeeded', at(1).toISOString(), [message(1)]);
      // The same status again: no second announcement.
      await store.setStatus(job.id, 'succeeded', at(2).toISOString(), [message(2)]);
      expect((await store.deliveries(job.id)).map((d) => d.id)).toEqual([message(1).id]);
      // A status change for a job that does not exist stores nothing at all.
      await expect(store.setStatus('job_missing', 'failed', null, [{ ...message(3), jobId: 'job_missing' }])).rejects.toThrow();
      expect(await store.deliveries('job_missing')).toEqual([]);
    });

    test('a second handle sees the messages and cannot take a leased one; all survive a reopen', async ({ h }) => {
      const store = await pinned(h);
      const messages = await jobWithMessages(store, 2);
      const second = await h.open({ now: () => at(0) });
      const [mine, theirs] = await Promise.all([store.claimDeliveries(at(5), 60_000, 1), second.claimDeliveries(at(5), 60_000, 1)]);
      expect([...mine, ...theirs].map((d) => d.id).sort()).toEqual(messages.map((m) => m.id).sort());
      expect(await second.claimDeliveries(at(30), 60_000, 10)).toEqual([]);
      await store.settleDelivery(mine[0]!.id, { status: 'delivered' });
      const before = await second.deliveries();
      await second.close();
      await store.close();
      const reopened = await h.open();
      expect(await reopened.deliveries()).toEqual(before);
      expect((await reopened.claimDeliveries(at(66), 60_000, 10)).map((d) => d.id)).toEqual([theirs[0]!.id]);
    });
  });
}
