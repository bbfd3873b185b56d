import type { SchedulerStats } from '../../src/queue/scheduler.js';
import type { StoredJob } from '../../src/store/index.js';
import type { Submission } from './job-mix.js';

/** The figures of a run: what was sent, how it ended, how fast, what the retries absorbed. */
export interface SummaryInput {
  subs: Submission[];
  jobs: StoredJob[];
  startedAt: number;
  submittedAt: number;
  drainedAt: number;
  schedulerStats: Record<string, SchedulerStats>;
  logins: Record<string, number>;
  logText: string;
}

const CONSOLE_APPS = new Set(['stitch', 'billcom']);

const tally = (items: string[]): string =>
  Object.entries(items.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {}))
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

const percentile = (values: number[], p: number): number => {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export function summarize(input: SummaryInput): string {
  const { subs, jobs } = input;
  const tasks = jobs.flatMap((j) => j.job.tasks);
  const failed = tasks.filter((t) => t.outcome === 'failed');
  const finished = jobs.filter((j) => j.job.finishedAt);
  const firstCreated = Math.min(...jobs.map((j) => Date.parse(j.job.createdAt)));
  const lastFinished = Math.max(...finished.map((j) => Date.parse(j.job.finishedAt!)));
  const spanS = (lastFinished - firstCreated) / 1000;
  const latency = (filter: (j: StoredJob) => boolean) => {
    const ms = finished.filter(filter).map((j) => Date.parse(j.job.finishedAt!) - Date.parse(j.job.createdAt));
    return `n=${ms.length} p50 ${(percentile(ms, 50) / 1000).toFixed(1)} s, p95 ${(percentile(ms, 95) / 1000).toFixed(1)} s, max ${(percentile(ms, 100) / 1000).toFixed(1)} s`;
  };
  const usesConsole = (j: StoredJob) => j.job.tasks.some((t) => CONSOLE_APPS.has(t.app));

  const logLines = input.logText.split('\n').filter(Boolean).map((l) => {
    try {
      return JSON.parse(l) as { level: number; msg?: string };
    } catch {
      return { level: 0, msg: l };
    }
  });
  const messages = logLines.filter((l) => l.level >= 50).map((l) => (l.msg ?? '').replace(/[0-9a-f]{8,}|\d+/gi, '#').slice(0, 90));

  const lines = [
    'Summary',
    `  submitted     ${subs.length} in ${((input.submittedAt - input.startedAt) / 1000).toFixed(0)} s: ${tally(subs.map((s) => s.kind))}`,
    `  jobs          ${jobs.length} in the store: ${tally(jobs.map((j) => j.job.status))}; by kind: ${tally(jobs.map((j) => `${j.job.kind}:${j.job.status}`))}`,
    `  tasks         ${tasks.length}: ${tally(tasks.map((t) => t.outcome ?? t.status))}`,
    `  tasks by app  ${tally(tasks.map((t) => `${t.app}:${t.outcome ?? t.status}`))}`,
    `  failed tasks  ${failed.length} by error code: ${tally(failed.map((t) => `${t.app}:${t.error?.code ?? '?'}`))}`,
    `  throughput    ${jobs.length} jobs / ${tasks.length} tasks in ${spanS.toFixed(0)} s (first created → last finished): ${((jobs.length / spanS) * 60).toFixed(0)} jobs/min, ${(tasks.length / spanS).toFixed(2)} tasks/s`,
    `  latency       API-only jobs ${latency((j) => !usesConsole(j) && j.job.kind !== 'review')}; console jobs ${latency(usesConsole)}; reviews ${latency((j) => j.job.kind === 'review')}`,
    `  retries       ${Object.entries(input.schedulerStats).map(([app, s]) => `${app} ${s.retries} retries/${s.throttled} throttled/${s.recoveredByReadBack} read-back recoveries`).join('; ')}`,
    `  console       logins ${JSON.stringify(input.logins)}`,
    `  service log   ${logLines.filter((l) => l.level === 40).length} warn, ${logLines.filter((l) => l.level >= 50).length} error lines; errors: ${tally(messages)}`,
  ];
  return lines.join('\n');
}
