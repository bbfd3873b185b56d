import { test, expect } from '@playwright/test';
import { approvalWaits, jobTiming, taskDurationMs } from '../../src/engine/job-timing.js';
import { jobPeople } from '../../src/report/job-document.js';
import type { StoredJob } from '../../src/store/job-store.js';
import { makeJob } from '../store/store-fixtures.js';

/** Issue 13 item 5: the arithmetic behind durationMs and approvalWaitMs, on recorded times. */
const at = (s: number) => new Date(Date.UTC(2026, 0, 1) + s * 1000).toISOString();

function stored(history: [StoredJob['statusHistory'][number]['status'], number][], finishedAt: number | null): StoredJob {
  const { job, meta } = makeJob({ apps: ['bigid'], createdAt: at(0) });
  job.finishedAt = finishedAt === null ? null : at(finishedAt);
  job.tasks[0] = { ...job.tasks[0]!, startedAt: at(2), finishedAt: job.finishedAt };
  return { job, meta, planHash: null, approvedHash: null, approvedBy: null, approvalReasons: [], approversRequired: 1, decisions: [], updatedAt: at(0), statusHistory: history.map(([status, s]) => ({ status, at: at(s) })) };
}

test('issue 13 item 5: a job re-approved after a re-plan has two waits, both left out of its duration and its tasks’', () => {
  // planned 0, planning 1, waits 3→100, runs, re-planned and waits 110→200, runs, done at 205.
  const s = stored(
    [
      ['planned', 0],
      ['planning', 1],
      ['awaiting_approval', 3],
      ['running', 100],
      ['awaiting_approval', 110],
      ['running', 200],
      ['succeeded', 205],
    ],
    205,
  );
  const timing = jobTiming(s, Date.parse(at(1000)));
  expect(timing.startedAt).toBe(at(1));
  expect(timing.approvalWaitMs).toBe((97 + 90) * 1000);
  expect(timing.durationMs).toBe((204 - 187) * 1000);
  const waits = approvalWaits(s.statusHistory, Date.parse(at(1000)));
  // The task started at 2: both waits lie inside it.
  expect(taskDurationMs(s.job.tasks[0]!, waits)).toBe((203 - 187) * 1000);
  // A task that ended before the first wait (a no-op found while planning) loses nothing.
  expect(taskDurationMs({ startedAt: at(1), finishedAt: at(2) }, waits)).toBe(1000);
});

test('issue 13 item 5: a job still waiting counts its open wait up to now, and has no start before its first work', () => {
  const waiting = stored(
    [
      ['planned', 0],
      ['planning', 1],
      ['awaiting_approval', 4],
    ],
    null,
  );
  const t = jobTiming(waiting, Date.parse(at(64)));
  expect(t).toEqual({ startedAt: at(1), durationMs: 3000, approvalWaitMs: 60_000 });
  const scheduled = stored([['planned', 0]], null);
  scheduled.job.tasks[0]!.startedAt = null;
  expect(jobTiming(scheduled, Date.parse(at(64)))).toEqual({ startedAt: null, durationMs: null, approvalWaitMs: 0 });
});

test('issue 13 item 5: people are the tasks’ addresses once each, or for a review its roster source', () => {
  const s = stored([['planned', 0]], null);
  s.job.tasks.push({ ...s.job.tasks[0]!, id: 't02-sigma', app: 'sigma', subject: { email: s.job.tasks[0]!.subject.email.toUpperCase() } });
  expect(jobPeople(s)).toEqual([s.job.tasks[0]!.subject.email]);
  const review = { ...s, job: { ...s.job, kind: 'review' as const, tasks: [] }, meta: { request: { kind: 'review' as const, apps: 'all' as const, includeInactive: false, offboardOrphans: false, roster: { file: 'roster.csv' as const, sha256: 'a'.repeat(64), source: 'hr.csv' } } } } as unknown as StoredJob;
  expect(jobPeople(review)).toEqual(['hr.csv']);
  expect(jobPeople({ ...review, meta: { request: { kind: 'review', apps: 'all' } } } as unknown as StoredJob)).toEqual(['review']);
});
