import type { Job, Task } from '../model/index.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { JobStore } from '../store/index.js';

/**
 * Prometheus text exposition, hand-written: a handful of series does not need a
 * metrics library. Task durations are a summary (sum and count) per app and driver.
 */
export interface Metrics {
  observeTask(task: Task, driver: string): void;
  render(store: JobStore, scheduler: Scheduler, apps: Record<string, string>): Promise<string>;
}

const label = (v: string) => v.replace(/["\\\n]/g, '_');

export function createMetrics(): Metrics {
  const durations = new Map<string, { sum: number; count: number }>();
  const outcomes = new Map<string, number>();
  return {
    observeTask(task, driver) {
      if (!task.finishedAt || !task.startedAt) return;
      const key = `${task.app}\u0000${driver}`;
      const d = durations.get(key) ?? { sum: 0, count: 0 };
      d.sum += (Date.parse(task.finishedAt) - Date.parse(task.startedAt)) / 1000;
      d.count += 1;
      durations.set(key, d);
      const ok = `${task.app}\u0000${task.outcome ?? 'none'}`;
      outcomes.set(ok, (outcomes.get(ok) ?? 0) + 1);
    },
    async render(store, scheduler, apps) {
      const counts = new Map<string, number>();
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        for (const s of page.jobs) counts.set(s.job.status, (counts.get(s.job.status) ?? 0) + 1);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      const lines = ['# HELP seatctl_jobs Jobs in the store by status.', '# TYPE seatctl_jobs gauge'];
      for (const status of ['planned', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled'] satisfies Job['status'][]) {
        lines.push(`seatctl_jobs{status="${status}"} ${counts.get(status) ?? 0}`);
      }
      lines.push('# HELP seatctl_task_duration_seconds Task durations by app and driver.', '# TYPE seatctl_task_duration_seconds summary');
      for (const [key, d] of durations) {
        const [app, driver] = key.split('\u0000');
        lines.push(`seatctl_task_duration_seconds_sum{app="${label(app!)}",driver="${label(driver!)}"} ${d.sum.toFixed(3)}`);
        lines.push(`seatctl_task_duration_seconds_count{app="${label(app!)}",driver="${label(driver!)}"} ${d.count}`);
      }
      lines.push('# HELP seatctl_tasks_total Finished tasks by app and outcome.', '# TYPE seatctl_tasks_total counter');
      for (const [key, n] of outcomes) {
        const [app, outcome] = key.split('\u0000');
        lines.push(`seatctl_tasks_total{app="${label(app!)}",outcome="${label(outcome!)}"} ${n}`);
      }
      lines.push('# HELP seatctl_retries_total Retried calls by app.', '# TYPE seatctl_retries_total counter');
      lines.push('# HELP seatctl_throttled_total 429 waits by app.', '# TYPE seatctl_throttled_total counter');
      lines.push('# HELP seatctl_queue_depth Calls waiting and running per app queue.', '# TYPE seatctl_queue_depth gauge');
      const depth = scheduler.depth();
      for (const app of Object.keys(apps)) {
        const s = scheduler.stats(app);
        lines.push(`seatctl_retries_total{app="${label(app)}"} ${s.retries}`);
        lines.push(`seatctl_throttled_total{app="${label(app)}"} ${s.throttled}`);
        lines.push(`seatctl_queue_depth{app="${label(app)}",state="queued"} ${depth[app]?.queued ?? 0}`);
        lines.push(`seatctl_queue_depth{app="${label(app)}",state="running"} ${depth[app]?.running ?? 0}`);
      }
      return lines.join('\n') + '\n';
    },
  };
}
