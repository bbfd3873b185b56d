import type { Task } from '../model/index.js';
import type { StatusChange, StoredJob } from '../store/job-store.js';

/**
 * When a job and its tasks worked, from the job's status history and the tasks' own
 * times. Durations leave out the time the job sat in `awaiting_approval`: that is a
 * person's time, not seatctl's, and a job approved the next morning did not take a
 * night to run. Spans still running are measured up to `now`.
 */
export interface Span {
  from: number;
  to: number;
}

export interface JobTiming {
  /** First work: the job's first `planning`/`running`, or its earliest task start. */
  startedAt: string | null;
  /** startedAt → finishedAt (or now), minus every approval wait in between; null before it starts. */
  durationMs: number | null;
  /** Total time spent awaiting approval (an open wait counts up to now). */
  approvalWaitMs: number;
}

const WORKING = new Set<string>(['planning', 'running']);

/** The periods spent in awaiting_approval: each lasts until the next status change. */
export function approvalWaits(history: readonly StatusChange[], now: number): Span[] {
  const waits: Span[] = [];
  history.forEach((change, i) => {
    if (change.status !== 'awaiting_approval') return;
    const next = history[i + 1];
    waits.push({ from: Date.parse(change.at), to: next ? Date.parse(next.at) : now });
  });
  return waits;
}

/** The part of `span` that lies inside the waits. */
export function overlapMs(span: Span, waits: readonly Span[]): number {
  return waits.reduce((sum, w) => sum + Math.max(0, Math.min(span.to, w.to) - Math.max(span.from, w.from)), 0);
}

function activeMs(startedAt: string | null, finishedAt: string | null, waits: readonly Span[], now: number): number | null {
  if (!startedAt) return null;
  const span = { from: Date.parse(startedAt), to: finishedAt ? Date.parse(finishedAt) : now };
  return Math.max(0, span.to - span.from - overlapMs(span, waits));
}

export function jobTiming(stored: StoredJob, now = Date.now()): JobTiming {
  const waits = approvalWaits(stored.statusHistory, now);
  const starts = [
    ...stored.statusHistory.filter((c) => WORKING.has(c.status)).slice(0, 1).map((c) => c.at),
    ...stored.job.tasks.flatMap((t) => (t.startedAt ? [t.startedAt] : [])),
  ].sort((a, b) => Date.parse(a) - Date.parse(b));
  const startedAt = starts[0] ?? null;
  return {
    startedAt,
    durationMs: activeMs(startedAt, stored.job.finishedAt, waits, now),
    approvalWaitMs: waits.reduce((sum, w) => sum + Math.max(0, w.to - w.from), 0),
  };
}

/** A task's startedAt → finishedAt (or now), minus the job's approval waits in between. */
export function taskDurationMs(task: Pick<Task, 'startedAt' | 'finishedAt'>, waits: readonly Span[], now = Date.now()): number | null {
  return activeMs(task.startedAt, task.finishedAt, waits, now);
}
