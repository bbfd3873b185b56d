import { Counter, Gauge, Registry, Summary } from 'prom-client';
import type { Job, Task } from '../model/index.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { JobStore } from '../store/index.js';
import { taskDurationMs, type Span } from '../engine/job-timing.js';

/**
 * Prometheus text exposition through prom-client: it writes each family as one
 * contiguous block with its HELP and TYPE and escapes label values, which the former
 * hand-written text got wrong (samples of one family were interleaved with another's,
 * and strict parsers reject that). One registry per service, never the global one, so
 * two services in one process (tests) do not share counters.
 */
export interface Metrics {
  /** `waits`: the job's approval waits, left out of the task's duration (job-timing.ts). */
  observeTask(task: Task, driver: string, waits?: readonly Span[]): void;
  render(store: JobStore, scheduler: Scheduler, apps: Record<string, string>): Promise<string>;
}

const JOB_STATUSES = ['planned', 'planning', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled'] satisfies Job['status'][];

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Read at scrape time by collect(); set by render() just before it asks the registry.
  let source: { store: JobStore; scheduler: Scheduler; apps: string[] } | null = null;

  new Gauge({
    name: 'seatctl_jobs',
    help: 'Jobs in the store by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      if (!source) return;
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await source.store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        for (const s of page.jobs) counts.set(s.job.status, (counts.get(s.job.status) ?? 0) + 1);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      for (const status of JOB_STATUSES) this.set({ status }, counts.get(status) ?? 0);
    },
  });
  // A summary without quantiles: sum and count per app and driver, as before.
  const durations = new Summary({ name: 'seatctl_task_duration_seconds', help: 'Task durations by app and driver.', labelNames: ['app', 'driver'], percentiles: [], registers: [registry] });
  const outcomes = new Counter({ name: 'seatctl_tasks_total', help: 'Finished tasks by app and outcome.', labelNames: ['app', 'outcome'], registers: [registry] });
  // The scheduler keeps the running totals; these families copy them at scrape time.
  new Counter({
    name: 'seatctl_retries_total',
    help: 'Retried calls by app.',
    labelNames: ['app'],
    registers: [registry],
    collect() {
      this.reset();
      for (const app of source?.apps ?? []) this.inc({ app }, source!.scheduler.stats(app).retries);
    },
  });
  new Counter({
    name: 'seatctl_throttled_total',
    help: '429 waits by app.',
    labelNames: ['app'],
    registers: [registry],
    collect() {
      this.reset();
      for (const app of source?.apps ?? []) this.inc({ app }, source!.scheduler.stats(app).throttled);
    },
  });
  new Gauge({
    name: 'seatctl_queue_depth',
    help: 'Calls waiting and running per app queue.',
    labelNames: ['app', 'state'],
    registers: [registry],
    collect() {
      if (!source) return;
      const depth = source.scheduler.depth();
      for (const app of source.apps) {
        this.set({ app, state: 'queued' }, depth[app]?.queued ?? 0);
        this.set({ app, state: 'running' }, depth[app]?.running ?? 0);
      }
    },
  });

  return {
    observeTask(task, driver, waits = []) {
      const ms = task.finishedAt ? taskDurationMs(task, waits) : null;
      if (ms === null) return;
      durations.observe({ app: task.app, driver }, ms / 1000);
      outcomes.inc({ app: task.app, outcome: task.outcome ?? 'none' });
    },
    async render(store, scheduler, apps) {
      source = { store, scheduler, apps: Object.keys(apps) };
      return registry.metrics();
    },
  };
}
