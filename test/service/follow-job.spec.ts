import { test, expect } from '@playwright/test';
import { groundTruth } from '../support/api-env.js';
import { AS_APPROVER, startServiceEnv, type ServiceEnv } from '../support/service-env.js';
import { openJobStore } from '../../src/store/index.js';

/**
 * Issue 13 item 5, following a job: statuses and times seen while the job runs, durations
 * that leave out the wait for approval, the people a job is about and the list filter.
 * The simulators hold chosen requests (one-shot `delay` faults) so the job can be looked
 * at while it plans and while it changes an account.
 */
let env: ServiceEnv;
test.beforeEach(async () => {
  env = await startServiceEnv();
});
test.afterEach(async () => env.close());

interface TaskDoc {
  app: string;
  status: string;
  outcome: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

const ms = (iso: string | null) => Date.parse(iso ?? 'invalid');
const task = (job: { tasks: TaskDoc[] }, app: string) => job.tasks.find((t) => t.app === app)!;
const sleep = (n: number) => new Promise((r) => setTimeout(r, n));

async function waitUntil(jobId: string, ok: (job: any) => boolean): Promise<any> {
  for (let i = 0; i < 400; i++) {
    const r = await env.call('GET', `/v1/jobs/${jobId}`);
    if (ok(r.json.job)) return r.json.job;
    await sleep(20);
  }
  throw new Error(`job ${jobId} never reached the expected state`);
}

test('issue 13 item 5: a job seen mid-run is planning, awaiting_approval, running, with ordered task times; its duration leaves out the approval wait', async () => {
  // Sigma's first read is held: the job is seen while it plans.
  env.sigma.faults.enqueue({ kind: 'delay', method: 'GET', pathPrefix: '/v2/members', delayMs: 800 });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'], requireApproval: true });
  expect(created.status).toBe(202);
  const id = created.json.job.id as string;

  const planning = await waitUntil(id, (j) => j.status === 'planning' && task(j, 'sigma').status === 'planning');
  expect(planning.startedAt).not.toBeNull();
  expect(ms(planning.createdAt)).toBeLessThanOrEqual(ms(planning.startedAt));
  expect(task(planning, 'sigma')).toMatchObject({ finishedAt: null });
  expect(ms(task(planning, 'sigma').startedAt)).toBeGreaterThanOrEqual(ms(planning.createdAt));
  expect(planning.planHash).toBeNull();

  const waiting = await env.waitFor(id, ['awaiting_approval']);
  for (const t of waiting.tasks as TaskDoc[]) {
    expect(t).toMatchObject({ status: 'planned', outcome: 'awaiting_approval', finishedAt: null });
    expect(ms(t.startedAt)).toBeGreaterThanOrEqual(ms(waiting.createdAt));
  }

  // The approver takes their time; the job must not count it as work.
  const wait = 1500;
  await sleep(wait);
  // BigID's change is held: the job is seen while it changes an account.
  env.bigid.faults.enqueue({ kind: 'delay', method: 'PUT', pathPrefix: '/api/v1/users/', delayMs: 800 });
  expect((await env.call('POST', `/v1/jobs/${id}/approve`, { planHash: waiting.planHash }, AS_APPROVER)).status).toBe(200);
  const running = await waitUntil(id, (j) => j.status === 'running' && task(j, 'bigid').status === 'running');
  expect(task(running, 'bigid').finishedAt).toBeNull();
  expect(running.approvalWaitMs).toBeGreaterThanOrEqual(wait);

  const done = await env.waitFor(id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(1);
  // createdAt ≤ startedAt ≤ finishedAt, for the job and for every task inside it.
  expect(ms(done.createdAt)).toBeLessThanOrEqual(ms(done.startedAt));
  expect(ms(done.startedAt)).toBeLessThanOrEqual(ms(done.finishedAt));
  for (const t of done.tasks as TaskDoc[]) {
    expect(t.status).toBe('succeeded');
    expect(ms(done.startedAt)).toBeLessThanOrEqual(ms(t.startedAt));
    expect(ms(t.startedAt)).toBeLessThanOrEqual(ms(t.finishedAt));
    expect(ms(t.finishedAt)).toBeLessThanOrEqual(ms(done.finishedAt));
    // Each task waited for the approval too, and its duration leaves that out.
    expect(t.durationMs).toBeLessThanOrEqual(ms(t.finishedAt) - ms(t.startedAt) - wait);
  }
  const wall = ms(done.finishedAt) - ms(done.startedAt);
  expect(done.approvalWaitMs).toBeGreaterThanOrEqual(wait);
  expect(done.durationMs).toBeLessThanOrEqual(wall - wait);
  // The wait lies inside the job's span: worked + waited is the whole span.
  expect(done.durationMs + done.approvalWaitMs).toBe(wall);
  expect(done.people).toEqual(['jdoe@example.com']);
  // The task-duration metric leaves the wait out too.
  const metrics = (await env.call('GET', '/metrics')).text;
  const sum = Number(/seatctl_task_duration_seconds_sum\{app="bigid",driver="bigid-api"\} (\S+)/.exec(metrics)?.[1]);
  expect(Math.abs(sum * 1000 - task(done, 'bigid').durationMs!)).toBeLessThan(1);
});

test('issue 13 item 5: GET /v1/jobs?email= returns only that person’s jobs, with their people; a bad address is 400 naming email', async () => {
  const submit = async (body: Record<string, unknown>) => (await env.call('POST', '/v1/jobs', { dryRun: true, ...body })).json.job.id as string;
  const jdoe1 = await submit({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'] });
  const asmith = await submit({ kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'] });
  const both = await submit({ kind: 'offboard', people: [{ email: 'asmith@example.com', apps: ['bigid'] }, { email: 'JDoe@Example.com', apps: ['sigma'] }] });
  for (const id of [jdoe1, asmith, both]) await env.waitFor(id, ['planned', 'succeeded', 'failed']);

  const list = await env.call('GET', '/v1/jobs?email=JDOE%40example.com');
  expect(list.status).toBe(200);
  expect(list.json.jobs.map((j: { id: string }) => j.id)).toEqual([both, jdoe1]);
  expect(list.json.jobs.map((j: { people: string[] }) => j.people)).toEqual([['asmith@example.com', 'JDoe@Example.com'], ['jdoe@example.com']]);
  const all = await env.call('GET', '/v1/jobs');
  expect(all.json.jobs.find((j: { id: string }) => j.id === asmith).people).toEqual(['asmith@example.com']);

  for (const bad of ['not-an-address', 'jdoe%40', '']) {
    const r = await env.call('GET', `/v1/jobs?email=${bad}`);
    expect(r.status, bad).toBe(400);
    expect(r.json.error.field).toBe('email');
  }
  // A status that exists now is a valid filter.
  expect((await env.call('GET', '/v1/jobs?status=planning')).status).toBe(200);
});

test('issue 13 item 5: a scheduled job shows runAt, status planned and no start until its time', async () => {
  const runAt = new Date(Date.now() + 60_000).toISOString();
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], runAt });
  const job = created.json.job;
  expect(job).toMatchObject({ status: 'planned', runAt, startedAt: null, durationMs: null, planHash: null });
  const listed = (await env.call('GET', '/v1/jobs?email=jdoe@example.com')).json.jobs[0];
  expect(listed).toMatchObject({ id: job.id, runAt });
  await sleep(200);
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(0);
});

test('issue 13 item 5: a job left in planning by a crash is resumed, planned and run', async () => {
  const { stored } = await env.service.engine.submit({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], mode: 'deactivate', dryRun: false, requireApproval: false });
  // What a process killed mid-plan leaves behind: the job and its task say planning, no plan hash.
  const other = await openJobStore(env.config);
  try {
    await other.setStatus(stored.job.id, 'planning');
    await other.saveTask({ ...stored.job.tasks[0]!, status: 'planning', startedAt: new Date().toISOString() });
    expect((await other.unfinished()).map((s) => s.job.id)).toContain(stored.job.id);
  } finally {
    await other.close();
  }
  expect(await env.service.engine.resume()).toContain(stored.job.id);
  const done = await env.waitFor(stored.job.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(done.tasks[0]).toMatchObject({ status: 'succeeded', outcome: 'changed' });
  expect((await groundTruth(env.bigid.stateUrl)).mutations).toHaveLength(1);
});
