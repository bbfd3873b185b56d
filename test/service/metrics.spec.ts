import { test, expect } from '@playwright/test';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { groundTruth } from '../support/api-env.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv({ approvals: { blastRadius: 25 } });
});
test.afterEach(async () => env.close());

/** Metric family of a sample line: a summary's _sum/_count belong to their base name. */
function familyOf(line: string, families: Set<string>): string {
  const name = line.split(/[{ ]/)[0]!;
  for (const suffix of ['_sum', '_count', '_bucket']) if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length))) return name.slice(0, -suffix.length);
  return name;
}

test('metrics #16: every family is one contiguous block and the values match the jobs run', async () => {
  // Two offboardings of seeded people (2 apps each), one that finds nobody.
  const emails = ['jdoe@example.com', 'asmith@example.com'];
  const ids: string[] = [];
  for (const email of emails) ids.push((await env.call('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] })).json.job.id);
  ids.push((await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'nobody@example.com', apps: ['bigid'] })).json.job.id);
  const finished = await Promise.all(ids.map((id) => env.waitFor(id, ['succeeded', 'failed'])));
  expect(finished.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  const changedInBigid = finished.flatMap((j) => j.tasks).filter((t: { app: string; outcome: string }) => t.app === 'bigid' && t.outcome === 'changed').length;
  // Ground truth: one deactivation per changed BigID task in the simulator's log.
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(changedInBigid);

  const m = await env.call('GET', '/metrics');
  expect(m.status).toBe(200);
  const lines = m.text.split('\n').filter((l) => l.trim() !== '');
  const declared = new Set(lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!));
  // Contiguity: once a family's block ends, none of its samples (or HELP/TYPE) appear again.
  const order: string[] = [];
  for (const line of lines) {
    const family = line.startsWith('#') ? line.split(' ')[2]! : familyOf(line, declared);
    if (order[order.length - 1] !== family) order.push(family);
  }
  expect(order).toEqual([...new Set(order)]);
  expect(order).toEqual(expect.arrayContaining(['seatctl_jobs', 'seatctl_task_duration_seconds', 'seatctl_tasks_total', 'seatctl_retries_total', 'seatctl_throttled_total', 'seatctl_queue_depth']));

  // An independent parser reads the same text.
  const parsed = parsePrometheusTextFormat(m.text);
  const family = (name: string) => parsed.find((f) => f.name === name)!;
  const value = (name: string, labels: Record<string, string>) => family(name).metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
  expect(family('seatctl_jobs').type).toBe('GAUGE');
  expect(Number(value('seatctl_jobs', { status: 'succeeded' })?.value)).toBe(3);
  expect(Number(value('seatctl_jobs', { status: 'failed' })?.value)).toBe(0);
  expect(family('seatctl_task_duration_seconds').type).toBe('SUMMARY');
  expect(Number(value('seatctl_task_duration_seconds', { app: 'bigid', driver: 'bigid-api' })?.count)).toBe(3);
  expect(Number(value('seatctl_task_duration_seconds', { app: 'sigma', driver: 'sigma-api' })?.count)).toBe(2);
  expect(family('seatctl_tasks_total').type).toBe('COUNTER');
  expect(Number(value('seatctl_tasks_total', { app: 'bigid', outcome: 'changed' })?.value)).toBe(changedInBigid);
  expect(Number(value('seatctl_tasks_total', { app: 'bigid', outcome: 'not_found' })?.value)).toBe(1);
  expect(Number(value('seatctl_retries_total', { app: 'bigid' })?.value)).toBe(0);
  expect(Number(value('seatctl_queue_depth', { app: 'sigma', state: 'queued' })?.value)).toBe(0);
});
