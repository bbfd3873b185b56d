import { createHash } from 'node:crypto';
import { test as base, expect } from '@playwright/test';
import { SeatctlError } from '../../src/errors/index.js';
import type { JobStatus } from '../../src/model/index.js';
import { GENESIS_HASH, verifyAuditChain } from '../../src/store/audit-chain.js';
import { canonicalJson } from '../../src/store/canonical-json.js';
import type { Decision, JobStore, StoredJob } from '../../src/store/job-store.js';
import { enrichTask, makeJob, times } from './store-fixtures.js';
import { outboxConformance } from './outbox-conformance.js';
import { leaseConformance } from './lease-conformance.js';

/**
 * One suite for every JobStore backend (SQLite now, Redis later): the engine, the
 * service and the report rely on exactly these behaviours. What cannot be said through
 * the interface (tampering with the audit log behind the store's back) the backend's
 * harness provides.
 */
export interface StoreHarness {
  /** A handle on this harness's data; every call is a new handle on the same data, like a second process. */
  open(options?: { now?: () => Date }): Promise<JobStore>;
  /** Rewrites one audit record's data directly in the backend, as an attacker with file access would. */
  editAuditData(jobId: string, seq: number, data: unknown): Promise<void>;
  /** Removes one audit record directly in the backend. */
  deleteAudit(jobId: string, seq: number): Promise<void>;
  /** Closes every handle open() gave and removes the data. */
  dispose(): Promise<void>;
}

const ids = (jobs: readonly StoredJob[]): string[] => jobs.map((s) => s.job.id);

export function storeConformance(name: string, harness: () => Promise<StoreHarness>): void {
  const test = base.extend<{ h: StoreHarness; store: JobStore }>({
    // eslint-disable-next-line no-empty-pattern
    h: async ({}, use) => {
      const h = await harness();
      await use(h);
      await h.dispose();
    },
    store: async ({ h }, use) => {
      await use(await h.open());
    },
  });

  /** Creates jobs with the given statuses; returns their ids in the same order. */
  async function seed(store: JobStore, specs: Parameters<typeof makeJob>[0][]): Promise<string[]> {
    const out: string[] = [];
    for (const spec of specs) {
      const { job, meta } = makeJob(spec);
      await store.create(job, meta);
      out.push(job.id);
    }
    return out;
  }

  test.describe(`job store conformance: ${name}`, () => {
    test('create then get returns the same job, tasks in order, and its meta', async ({ store }) => {
      const { job, meta } = makeJob({ runAt: '2030-05-01T09:00:00.000Z', idempotencyKey: 'k-roundtrip' });
      const { stored, created } = await store.create(job, meta);
      expect(created).toBe(true);
      const got = await store.get(job.id);
      expect(got).toEqual(stored);
      expect(got!.job).toEqual(job);
      expect(got!.job.tasks.map((t) => t.id)).toEqual(job.tasks.map((t) => t.id));
      expect(got!.meta).toEqual(meta);
      expect(got!).toMatchObject({ planHash: null, approvedHash: null, approvedBy: null, approvalReasons: [] });
      expect(typeof got!.updatedAt).toBe('string');
      expect(await store.get('job_missing')).toBeNull();
    });

    test('the same idempotency key returns the existing job and stores nothing new', async ({ h, store }) => {
      const first = makeJob({ idempotencyKey: 'hr-event-17' });
      const second = makeJob({ idempotencyKey: 'hr-event-17', email: 'someone-else@example.com' });
      const a = await store.create(first.job, first.meta);
      const b = await store.create(second.job, second.meta);
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.stored).toEqual(a.stored);
      // Submitted at once from two handles (service + CLI): still exactly one job.
      const other = await h.open();
      const third = makeJob({ idempotencyKey: 'hr-event-17' });
      const results = await Promise.all([store.create(third.job, third.meta), other.create(third.job, third.meta)]);
      expect(results.every((r) => !r.created && r.stored.job.id === first.job.id)).toBe(true);
      expect(ids((await store.list({})).jobs)).toEqual([first.job.id]);
      expect(await store.get(second.job.id)).toBeNull();
    });

    test('different idempotency keys, or none, make separate jobs', async ({ store }) => {
      const a = makeJob({ idempotencyKey: 'k1' });
      const b = makeJob({ idempotencyKey: 'k2' });
      const c = makeJob();
      const d = makeJob();
      for (const { job, meta } of [a, b, c, d]) expect((await store.create(job, meta)).created).toBe(true);
      expect((await store.list({})).jobs).toHaveLength(4);
    });

    test('creating a job id twice is a CONFLICT', async ({ store }) => {
      const { job, meta } = makeJob();
      await store.create(job, meta);
      await expect(store.create(job, meta)).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    test('list pages newest first with a cursor, and filters by status', async ({ store }) => {
      const at = times(7);
      const statuses: JobStatus[] = ['planned', 'running', 'succeeded', 'planned', 'failed', 'succeeded', 'planned'];
      const created = await seed(store, at.map((createdAt, i) => ({ createdAt, status: statuses[i]! })));
      const newestFirst = [...created].reverse();

      const seen: string[] = [];
      let cursor: string | undefined;
      const sizes: number[] = [];
      do {
        const page = await store.list({ limit: 3, cursor });
        sizes.push(page.jobs.length);
        seen.push(...ids(page.jobs));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(sizes).toEqual([3, 3, 1]);
      expect(seen).toEqual(newestFirst);

      const planned = await store.list({ status: 'planned', limit: 2 });
      expect(ids(planned.jobs)).toEqual([created[6], created[3]]);
      const rest = await store.list({ status: 'planned', limit: 2, cursor: planned.nextCursor! });
      expect(ids(rest.jobs)).toEqual([created[0]]);
      expect(rest.nextCursor).toBeNull();
      expect((await store.list({ status: 'cancelled' })).jobs).toEqual([]);
      // Tasks come along in list results too.
      expect(rest.jobs[0]!.job.tasks).toHaveLength(3);
    });

    test('jobs created in the same millisecond are paged without loss or repeats', async ({ store }) => {
      const [instant] = times(1);
      const created = await seed(store, Array.from({ length: 5 }, () => ({ createdAt: instant! })));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 2, cursor });
        seen.push(...ids(page.jobs));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect([...seen].sort()).toEqual([...created].sort());
    });

    test('list limit defaults to 50 and is capped at 500; bad cursors and statuses are usage errors', async ({ store }) => {
      await seed(store, times(501).map((createdAt) => ({ createdAt, apps: ['bigid'] })));
      const first = await store.list({});
      expect(first.jobs).toHaveLength(50);
      expect(first.nextCursor).not.toBeNull();
      const capped = await store.list({ limit: 10_000 });
      expect(capped.jobs).toHaveLength(500);
      expect(capped.nextCursor).not.toBeNull();
      expect((await store.list({ limit: 0 })).jobs).toHaveLength(1);
      await expect(store.list({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'USAGE', details: { field: 'cursor' } });
      await expect(store.list({ status: 'done' as JobStatus })).rejects.toMatchObject({ code: 'USAGE', details: { field: 'status' } });
    });

    test('setStatus changes the status and finishedAt only when given', async ({ h }) => {
      let clock = new Date('2026-03-01T10:00:00.000Z');
      const store = await h.open({ now: () => clock });
      const { job, meta } = makeJob();
      await store.create(job, meta);
      clock = new Date('2026-03-01T10:05:00.000Z');
      await store.setStatus(job.id, 'running');
      let got = await store.get(job.id);
      expect(got!.job).toMatchObject({ status: 'running', finishedAt: null });
      expect(got!.updatedAt).toBe('2026-03-01T10:05:00.000Z');
      await store.setStatus(job.id, 'succeeded', '2026-03-01T10:06:00.000Z');
      await store.setStatus(job.id, 'succeeded');
      got = await store.get(job.id);
      expect(got!.job).toMatchObject({ status: 'succeeded', finishedAt: '2026-03-01T10:06:00.000Z' });
      // A finished job stays finished: a second run that still believed it running is refused.
      await expect(store.setStatus(job.id, 'running', null)).rejects.toMatchObject({ code: 'CONFLICT', details: { status: 'succeeded' } });
      got = await store.get(job.id);
      expect(got!.job).toMatchObject({ status: 'succeeded', finishedAt: '2026-03-01T10:06:00.000Z' });
      expect(got!.statusHistory.map((h) => h.status).filter((s) => s === 'running')).toHaveLength(1);
      const other = makeJob();
      await store.create(other.job, other.meta);
      await store.setStatus(other.job.id, 'running', '2026-03-01T10:07:00.000Z');
      await store.setStatus(other.job.id, 'running', null);
      expect((await store.get(other.job.id))!.job.finishedAt).toBeNull();
      await expect(store.setStatus('job_missing', 'running')).rejects.toBeInstanceOf(SeatctlError);
    });

    const decision = (planHash: string, by: string, extra: Partial<Decision> = {}): Decision => ({ planHash, by, decision: 'approve', reason: null, at: '2026-02-01T10:00:00.000Z', ...extra });

    test('issue 13 item 2: decide records an approval only for the current plan hash of a job awaiting approval', async ({ store }) => {
      const { job, meta } = makeJob({ status: 'awaiting_approval' });
      await store.create(job, meta);
      expect(await store.decide(job.id, decision('a'.repeat(64), 'alice'))).toEqual({ ok: false, refused: 'stale_hash' });
      await store.setPlan(job.id, 'a'.repeat(64), ['blast radius 30 > 25', 'delete in sigma']);
      let got = await store.get(job.id);
      expect(got).toMatchObject({ planHash: 'a'.repeat(64), approvalReasons: ['blast radius 30 > 25', 'delete in sigma'], approvedHash: null, approversRequired: 1, decisions: [] });

      expect(await store.decide(job.id, decision('b'.repeat(64), 'mallory'))).toEqual({ ok: false, refused: 'stale_hash' });
      got = await store.get(job.id);
      expect(got).toMatchObject({ approvedHash: null, approvedBy: null, decisions: [] });

      const ok = await store.decide(job.id, decision('a'.repeat(64), 'alice'));
      expect(ok).toMatchObject({ ok: true, complete: true, stored: { approvedHash: 'a'.repeat(64), approvedBy: 'alice' } });
      expect(await store.get(job.id)).toMatchObject({ approvedHash: 'a'.repeat(64), approvedBy: 'alice', decisions: [decision('a'.repeat(64), 'alice')] });
      // Enough approvals are in: another is refused, not stacked.
      expect(await store.decide(job.id, decision('a'.repeat(64), 'bob'))).toEqual({ ok: false, refused: 'already_approved' });

      // Re-planned against changed state: the old approval no longer matches the plan.
      await store.setPlan(job.id, 'c'.repeat(64), ['state changed since approval']);
      got = await store.get(job.id);
      expect(got!.planHash).not.toBe(got!.approvedHash);
      expect(await store.decide(job.id, decision('a'.repeat(64), 'alice'))).toEqual({ ok: false, refused: 'stale_hash' });
      expect((await store.get(job.id))!.approvedBy).toBe('alice');
      await store.setStatus(job.id, 'running');
      expect(await store.decide(job.id, decision('c'.repeat(64), 'alice'))).toEqual({ ok: false, refused: 'not_awaiting' });
      await expect(store.decide('job_missing', decision('a'.repeat(64), 'alice'))).rejects.toBeInstanceOf(SeatctlError);
    });

    test('issue 13 item 2: N distinct approvers of the same hash complete a job; the same one twice and an old hash never count', async ({ store }) => {
      const { job, meta } = makeJob({ status: 'awaiting_approval' });
      await store.create(job, meta);
      await store.setPlan(job.id, 'a'.repeat(64), ['delete in sigma requires approval'], 2);
      expect(await store.decide(job.id, decision('a'.repeat(64), 'bob'))).toMatchObject({ ok: true, complete: false, stored: { approvedHash: null, approversRequired: 2 } });
      expect(await store.decide(job.id, decision('a'.repeat(64), 'bob'))).toEqual({ ok: false, refused: 'duplicate' });
      // The plan changes: bob's approval was of the old plan and does not count towards the new one.
      await store.setPlan(job.id, 'b'.repeat(64), ['delete in sigma requires approval'], 2);
      expect(await store.decide(job.id, decision('b'.repeat(64), 'carol'))).toMatchObject({ ok: true, complete: false });
      const last = await store.decide(job.id, decision('b'.repeat(64), 'bob', { at: '2026-02-01T10:05:00.000Z' }));
      expect(last).toMatchObject({ ok: true, complete: true, stored: { approvedHash: 'b'.repeat(64), approvedBy: 'bob' } });
      expect((await store.get(job.id))!.decisions.map((d) => [d.planHash[0], d.by])).toEqual([['a', 'bob'], ['b', 'carol'], ['b', 'bob']]);
    });

    test('issue 13 item 2: a rejection is recorded with its reason and cancels the job in the same write', async ({ store }) => {
      const { job, meta } = makeJob({ status: 'awaiting_approval' });
      await store.create(job, meta);
      await store.setPlan(job.id, 'a'.repeat(64), ['asked'], 2);
      await store.decide(job.id, decision('a'.repeat(64), 'bob'));
      const rejected = await store.decide(job.id, decision('a'.repeat(64), 'carol', { decision: 'reject', reason: 'wrong person', at: '2026-02-01T11:00:00.000Z' }));
      expect(rejected).toMatchObject({ ok: true, complete: true, stored: { approvedHash: null, job: { status: 'cancelled', finishedAt: '2026-02-01T11:00:00.000Z' } } });
      expect((await store.get(job.id))!.decisions.at(-1)).toEqual({ planHash: 'a'.repeat(64), by: 'carol', decision: 'reject', reason: 'wrong person', at: '2026-02-01T11:00:00.000Z' });
      expect(await store.decide(job.id, decision('a'.repeat(64), 'dave'))).toEqual({ ok: false, refused: 'not_awaiting' });
    });

    test('issue 13 item 2: two approvers at once from two handles: exactly one completes the job', async ({ h, store }) => {
      for (let round = 0; round < 5; round++) {
        const { job, meta } = makeJob({ status: 'awaiting_approval' });
        await store.create(job, meta);
        await store.setPlan(job.id, 'a'.repeat(64), ['asked'], 2);
        const other = await h.open();
        const results = await Promise.all([store.decide(job.id, decision('a'.repeat(64), 'bob')), other.decide(job.id, decision('a'.repeat(64), 'carol'))]);
        expect(results.filter((r) => r.ok && r.complete)).toHaveLength(1);
        expect(results.every((r) => r.ok)).toBe(true);
        // A third approver after completion is refused: the job is already approved.
        expect(await other.decide(job.id, decision('a'.repeat(64), 'dave'))).toEqual({ ok: false, refused: 'already_approved' });
      }
    });

    test('saveTask updates a task in place and appends a new one', async ({ store }) => {
      const { job, meta } = makeJob({ apps: ['bigid', 'sigma'] });
      await store.create(job, meta);
      const updated = { ...job.tasks[1]!, status: 'running' as const, startedAt: '2026-01-01T00:00:00.000Z', notes: ['mutating'] };
      await store.saveTask(updated);
      const extra = enrichTask({ ...job.tasks[0]!, id: 't99-billcom', app: 'billcom' });
      await store.saveTask(extra);
      const got = await store.get(job.id);
      expect(got!.job.tasks).toEqual([job.tasks[0], updated, extra]);
      await store.saveTask({ ...extra, status: 'failed' });
      expect((await store.get(job.id))!.job.tasks.map((t) => [t.id, t.status])).toEqual([
        [job.tasks[0]!.id, 'succeeded'],
        [job.tasks[1]!.id, 'running'],
        ['t99-billcom', 'failed'],
      ]);
      await expect(store.saveTask({ ...extra, jobId: 'job_missing' })).rejects.toBeInstanceOf(SeatctlError);
    });

    test('attempts come back in the order recorded, per job', async ({ store }) => {
      const [a, b] = await seed(store, [{}, {}]);
      await store.recordAttempt(a!, { taskId: 't01-bigid', operation: 'deactivate', phase: 'mutating', at: '2026-01-01T00:00:01.000Z' });
      await store.recordAttempt(b!, { taskId: 't02-sigma', operation: 'delete', phase: 'mutating', at: '2026-01-01T00:00:01.500Z' });
      await store.recordAttempt(a!, { taskId: 't01-bigid', operation: 'deactivate', phase: 'mutated', at: '2026-01-01T00:00:02.000Z', detail: '200 OK' });
      await store.recordAttempt(a!, { taskId: 't02-sigma', operation: 'deactivate', phase: 'mutating', at: '2026-01-01T00:00:00.000Z' });
      expect(await store.attempts(a!)).toEqual([
        { taskId: 't01-bigid', operation: 'deactivate', phase: 'mutating', at: '2026-01-01T00:00:01.000Z' },
        { taskId: 't01-bigid', operation: 'deactivate', phase: 'mutated', at: '2026-01-01T00:00:02.000Z', detail: '200 OK' },
        { taskId: 't02-sigma', operation: 'deactivate', phase: 'mutating', at: '2026-01-01T00:00:00.000Z' },
      ]);
      expect(await store.attempts(b!)).toHaveLength(1);
      expect(await store.attempts('job_missing')).toEqual([]);
    });

    test('audit records form a verifiable sha256 chain per job', async ({ store }) => {
      const [a, b] = await seed(store, [{}, {}]);
      const r1 = await store.appendAudit(a!, 'job.created', { by: 'cli:tester', apps: ['bigid', 'sigma'] });
      const r2 = await store.appendAudit(a!, 'task.mutating', { z: 1, a: { y: [1, 'two', null], b: true } });
      const r3 = await store.appendAudit(a!, 'job.finished', undefined);
      await store.appendAudit(b!, 'job.created', {});
      expect([r1.seq, r2.seq, r3.seq]).toEqual([1, 2, 3]);
      expect(r1.prevHash).toBe(GENESIS_HASH);
      expect(r2.prevHash).toBe(r1.hash);
      expect(r3.data).toBeNull();
      // The documented formula, computed independently of the store.
      const expected = createHash('sha256')
        .update(r1.hash + canonicalJson({ seq: 2, jobId: a, at: r2.at, kind: 'task.mutating', data: { a: { b: true, y: [1, 'two', null] }, z: 1 } }))
        .digest('hex');
      expect(r2.hash).toBe(expected);

      const records = await store.audit(a!);
      expect(records).toEqual([r1, r2, r3]);
      expect(verifyAuditChain(records)).toEqual({ ok: true });
      const other = await store.audit(b!);
      expect(other.map((r) => [r.seq, r.prevHash])).toEqual([[1, GENESIS_HASH]]);
      expect(verifyAuditChain(other)).toEqual({ ok: true });
      await expect(store.appendAudit('job_missing', 'x', {})).rejects.toBeInstanceOf(SeatctlError);
    });

    test('appends at the same time still get consecutive seqs and one chain', async ({ h, store }) => {
      const [a] = await seed(store, [{}]);
      const other = await h.open();
      await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).appendAudit(a!, 'step', { i })));
      const records = await store.audit(a!);
      expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(verifyAuditChain(records)).toEqual({ ok: true });
    });

    test('an edited audit record breaks the chain at that record', async ({ h, store }) => {
      const [a] = await seed(store, [{}]);
      for (const step of ['plan', 'approve', 'apply', 'finish']) await store.appendAudit(a!, step, { step, by: 'alice' });
      await h.editAuditData(a!, 2, { step: 'approve', by: 'mallory' });
      expect(verifyAuditChain(await store.audit(a!))).toEqual({ ok: false, brokenAt: 2 });
    });

    test('a deleted middle audit record breaks the chain after the gap', async ({ h, store }) => {
      const [a] = await seed(store, [{}]);
      for (const step of ['plan', 'approve', 'apply', 'finish']) await store.appendAudit(a!, step, { step });
      await h.deleteAudit(a!, 2);
      const records = await store.audit(a!);
      expect(records.map((r) => r.seq)).toEqual([1, 3, 4]);
      expect(verifyAuditChain(records)).toEqual({ ok: false, brokenAt: 3 });
    });

    test('unfinished() is planning and running jobs plus planned jobs that are due; never awaiting approval, terminal or dry-run', async ({ store }) => {
      const [running, plannedNow, plannedPast, planning] = await seed(store, [
        { status: 'running' },
        { status: 'planned' },
        { status: 'planned', runAt: '2001-01-01T00:00:00.000Z' },
        { status: 'planning' },
      ]);
      await seed(store, [
        { status: 'planned', runAt: '2999-01-01T00:00:00.000Z' },
        { status: 'awaiting_approval' },
        { status: 'succeeded' },
        { status: 'failed' },
        { status: 'cancelled' },
        { status: 'planned', dryRun: true },
        { status: 'running', dryRun: true },
        { status: 'planning', dryRun: true },
      ]);
      expect(ids(await store.unfinished()).sort()).toEqual([running, plannedNow, plannedPast, planning].sort());
    });

    test('due(now) is planned jobs whose runAt has come', async ({ store }) => {
      const [past, exact] = await seed(store, [
        { status: 'planned', runAt: '2026-06-01T08:00:00.000Z' },
        { status: 'planned', runAt: '2026-06-01T09:00:00.000Z' },
      ]);
      await seed(store, [
        { status: 'planned', runAt: '2026-06-01T09:00:00.001Z' },
        { status: 'planned' },
        { status: 'running', runAt: '2026-06-01T08:00:00.000Z' },
        { status: 'cancelled', runAt: '2026-06-01T08:00:00.000Z' },
      ]);
      expect(ids(await store.due(new Date('2026-06-01T09:00:00.000Z')))).toEqual([past, exact]);
      expect(await store.due(new Date('2026-06-01T07:59:59.999Z'))).toEqual([]);
    });

    test('runAt given with an offset is kept as the same instant and scheduled by it', async ({ store }) => {
      const { job, meta } = makeJob({ runAt: '2026-06-01T11:00:00+02:00' });
      await store.create(job, meta);
      expect((await store.get(job.id))!.meta.runAt).toBe('2026-06-01T09:00:00.000Z');
      expect(ids(await store.due(new Date('2026-06-01T09:00:00.000Z')))).toEqual([job.id]);
      const bad = makeJob({ runAt: 'next tuesday' });
      await expect(store.create(bad.job, bad.meta)).rejects.toMatchObject({ code: 'USAGE', details: { field: 'runAt' } });
    });

    test('issue 13 item 5: list({email}) keeps the jobs about that person, exact and case-insensitive, paged newest first', async ({ store }) => {
      const at = times(6);
      const [a1, , a2, , a3] = await seed(store, [
        { createdAt: at[0]!, email: 'Ada.Lovelace@Example.com', status: 'succeeded' },
        { createdAt: at[1]!, email: 'bob@example.com' },
        { createdAt: at[2]!, email: 'ada.lovelace@example.com', status: 'running' },
        { createdAt: at[3]!, email: 'ada.lovelace@example.com.evil' },
        { createdAt: at[4]!, email: 'ADA.LOVELACE@EXAMPLE.COM', status: 'succeeded' },
        { createdAt: at[5]!, email: 'lovelace@example.com' },
      ]);
      expect(ids((await store.list({ email: 'ada.lovelace@example.com' })).jobs)).toEqual([a3, a2, a1]);
      const first = await store.list({ email: 'Ada.Lovelace@EXAMPLE.com', limit: 2 });
      expect(ids(first.jobs)).toEqual([a3, a2]);
      const rest = await store.list({ email: 'ada.lovelace@example.com', limit: 2, cursor: first.nextCursor! });
      expect(ids(rest.jobs)).toEqual([a1]);
      expect(rest.nextCursor).toBeNull();
      expect(ids((await store.list({ email: 'ada.lovelace@example.com', status: 'succeeded' })).jobs)).toEqual([a3, a1]);
      expect((await store.list({ email: 'nobody@example.com' })).jobs).toEqual([]);
      // A job lists each of its tasks, and all of them, whichever person was matched.
      expect(rest.jobs[0]!.job.tasks).toHaveLength(3);
    });

    test('issue 13 item 5: a person added by a later task is found too', async ({ store }) => {
      const { job, meta } = makeJob({ apps: ['bigid'], email: 'first@example.com' });
      await store.create(job, meta);
      await store.saveTask({ ...job.tasks[0]!, id: 't99-sigma', app: 'sigma', subject: { email: 'Second@Example.com' } });
      expect(ids((await store.list({ email: 'second@example.com' })).jobs)).toEqual([job.id]);
      expect(ids((await store.list({ email: 'first@example.com' })).jobs)).toEqual([job.id]);
    });

    test('issue 13 item 5: statusHistory starts at creation and gains an entry per change of status', async ({ h }) => {
      let clock = new Date('2026-03-01T10:00:00.000Z');
      const store = await h.open({ now: () => clock });
      const { job, meta } = makeJob({ createdAt: '2026-03-01T09:59:59.000Z' });
      await store.create(job, meta);
      expect((await store.get(job.id))!.statusHistory).toEqual([{ status: 'planned', at: '2026-03-01T09:59:59.000Z' }]);
      clock = new Date('2026-03-01T10:00:01.000Z');
      await store.setStatus(job.id, 'planning');
      clock = new Date('2026-03-01T10:00:02.000Z');
      await store.setStatus(job.id, 'awaiting_approval');
      // The same status again is not a change.
      clock = new Date('2026-03-01T10:00:03.000Z');
      await store.setStatus(job.id, 'awaiting_approval');
      clock = new Date('2026-03-01T11:00:00.000Z');
      await store.setStatus(job.id, 'running');
      // An ending is recorded at the finishedAt given.
      await store.setStatus(job.id, 'succeeded', '2026-03-01T11:00:05.000Z');
      const got = await store.get(job.id);
      expect(got!.statusHistory).toEqual([
        { status: 'planned', at: '2026-03-01T09:59:59.000Z' },
        { status: 'planning', at: '2026-03-01T10:00:01.000Z' },
        { status: 'awaiting_approval', at: '2026-03-01T10:00:02.000Z' },
        { status: 'running', at: '2026-03-01T11:00:00.000Z' },
        { status: 'succeeded', at: '2026-03-01T11:00:05.000Z' },
      ]);
      // list() carries the same history.
      expect((await store.list({})).jobs[0]!.statusHistory).toEqual(got!.statusHistory);
    });

    test('everything written is there after close and reopen, and to a second live handle', async ({ h, store }) => {
      const { job, meta } = makeJob({ idempotencyKey: 'durable', runAt: '2030-01-01T00:00:00.000Z' });
      await store.create(job, meta);
      await store.setPlan(job.id, 'd'.repeat(64), ['asked for']);
      await store.setStatus(job.id, 'awaiting_approval');
      expect(await store.decide(job.id, { planHash: 'd'.repeat(64), by: 'bob', decision: 'approve', reason: null, at: '2026-01-01T00:00:00.000Z' })).toMatchObject({ ok: true, complete: true });
      await store.setStatus(job.id, 'running');
      await store.saveTask({ ...job.tasks[0]!, status: 'running' });
      await store.recordAttempt(job.id, { taskId: job.tasks[0]!.id, operation: 'deactivate', phase: 'mutating', at: '2026-01-01T00:00:00.000Z' });
      await store.appendAudit(job.id, 'task.mutating', { task: job.tasks[0]!.id });
      const snapshot = async (s: JobStore) => ({ job: await s.get(job.id), attempts: await s.attempts(job.id), audit: await s.audit(job.id), unfinished: ids(await s.unfinished()) });
      const before = await snapshot(store);

      // A second handle while the first is still open: what a restarted process would see after kill -9.
      const live = await h.open();
      expect(await snapshot(live)).toEqual(before);
      await live.close();

      await store.close();
      const reopened = await h.open();
      expect(await snapshot(reopened)).toEqual(before);
      expect(verifyAuditChain(before.audit)).toEqual({ ok: true });
      const again = makeJob({ idempotencyKey: 'durable' });
      expect((await reopened.create(again.job, again.meta)).created).toBe(false);
    });
  });
  outboxConformance(name, test);
  leaseConformance(name, test);
}
