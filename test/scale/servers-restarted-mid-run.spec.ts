import { test, expect } from '@playwright/test';
import { expectOneChangePerAccount, startScaleEnv, type ScaleEnv } from '../support/scale-env.js';
import { startPrivatePostgres, startPrivateRedis, type PrivateServer } from '../support/private-servers.js';

/**
 * Issue 14 item 5: Redis or PostgreSQL restarted in the middle of a burst. Each test runs
 * its own Redis and PostgreSQL (never the machine's shared ones) so it may stop them:
 * the workers and serve lose their connections, wait, reconnect, and every job ends
 * `succeeded` with each account changed exactly once (the simulators' mutation logs).
 */
test.describe.configure({ timeout: 240_000 });

let env: ScaleEnv | undefined;
let redis: PrivateServer | undefined;
let postgres: PrivateServer | undefined;
test.afterEach(async () => {
  await env?.close();
  await redis?.close();
  await postgres?.close();
  env = redis = postgres = undefined;
});

async function burst(which: 'redis' | 'postgres'): Promise<void> {
  redis = await startPrivateRedis();
  postgres = await startPrivatePostgres();
  env = await startScaleEnv({
    workers: 2,
    store: 'postgres',
    redisUrl: redis.url,
    pgUrl: postgres.url,
    launch: { faults: { latencyMs: 40 }, appConfig: { bigid: { concurrency: 2 }, sigma: { concurrency: 2 } } },
  });
  const people = env.people().slice(0, 10);
  const ids: string[] = [];
  for (const email of people) ids.push((await env.api('POST', '/v1/jobs', { kind: 'offboard', email, apps: ['bigid', 'sigma'] })).job.id);
  const bigid = env.fx.bigid!;
  const sigma = env.fx.sigma!;
  await expect.poll(() => bigid.store.mutations.entries.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);

  const server = which === 'redis' ? redis : postgres;
  await server.stop();
  const changedWhileDown = bigid.store.mutations.entries.length + sigma.store.mutations.entries.length;
  // Down long enough for every process to notice (queries fail, BullMQ loses its
  // connections), not so long that the test is mostly waiting.
  await new Promise((r) => setTimeout(r, 4_000));
  await server.start();

  const jobs = await Promise.all(ids.map((id) => env!.waitTerminal(id, 180_000)));
  expect(jobs.map((j) => j.status)).toEqual(ids.map(() => 'succeeded'));
  // The restart really came mid-run: work was left to do when the server went away.
  expect(changedWhileDown).toBeLessThan(2 * people.length);
  // Nothing lost: the store still lists every job the service accepted.
  const listed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await env.api('GET', `/v1/jobs?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    for (const j of page.jobs) listed.add(j.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  for (const id of ids) expect(listed.has(id), `job ${id} listed`).toBe(true);

  await expectOneChangePerAccount(env.fx, people);
  for (const email of people) expect(bigid.store.all().find((u) => u.email.toLowerCase() === email)!.isEnabled, `bigid ${email} disabled`).toBe(false);
  // Both processes survived the outage rather than dying with it.
  for (const w of env.workers) expect(w.child.exitCode, `worker ${w.id} still running; its stderr:\n${w.stderr().slice(-3000)}`).toBeNull();
  expect(env.serve.child.exitCode, 'serve still running').toBeNull();
}

test('Redis restarted mid-burst (its keys gone): workers reconnect, every job succeeds, each account changed once', async () => {
  await burst('redis');
});

test('PostgreSQL restarted mid-burst: the store reconnects, every job succeeds, each account changed once', async () => {
  await burst('postgres');
});
