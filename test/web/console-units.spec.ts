import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, expect } from '@playwright/test';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createJobEvents } from '../../src/engine/job-events.js';
import { createConsoleSessions, SESSION_COOKIE_HTTP } from '../../src/web/console-sessions.js';
import { readReviewRows } from '../../src/web/review-rows-reader.js';
import { startServiceEnv, TEST_TOKEN } from '../support/service-env.js';
import { fileArtifacts } from '../support/file-artifacts.js';

/** Issue 13 item 3 (web console): sessions, the review reader and the event hub, below the browser. */

const PRINCIPAL = { id: 'token:bob', name: 'bob', roles: ['approver'] as const, via: 'token' as const };

/** Just enough of a fastify reply/request to carry a cookie between calls. */
function fakeExchange() {
  const headers: Record<string, string> = {};
  const request = { protocol: 'http', headers: {} as Record<string, string> } as unknown as FastifyRequest;
  const reply = { request, header: (k: string, v: string) => ((headers[k] = v), reply) } as unknown as FastifyReply;
  const cookie = () => /^([^=]+=[^;]*)/.exec(headers['set-cookie'] ?? '')![1]!;
  return { request, reply, headers, cookie };
}

test('console sessions expire after 8 h idle and 12 h absolute, and sign-out ends them', async () => {
  let now = 0;
  const sessions = createConsoleSessions({ idleMs: 8 * 3600_000, absoluteMs: 12 * 3600_000 }, () => now);
  const x = fakeExchange();
  await sessions.signIn(x.reply, { ...PRINCIPAL, roles: [...PRINCIPAL.roles] });
  const setCookie = x.headers['set-cookie']!;
  expect(setCookie).toContain(`${SESSION_COOKIE_HTTP}=`);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  (x.request.headers as Record<string, string>).cookie = x.cookie();
  expect(sessions.current(x.request)?.principal.id).toBe('token:bob');

  // Busy all day: each request inside 8 h keeps it, but 12 h after sign-in it ends.
  for (now = 7 * 3600_000; now < 12 * 3600_000; now += 4 * 3600_000) expect(sessions.current(x.request), `at ${now / 3600_000} h`).not.toBeNull();
  now = 12 * 3600_000;
  expect(sessions.current(x.request)).toBeNull();
  expect(sessions.size()).toBe(0);

  // Idle: 8 h without a request ends it.
  now = 0;
  const y = fakeExchange();
  await sessions.signIn(y.reply, { ...PRINCIPAL, roles: [...PRINCIPAL.roles] });
  (y.request.headers as Record<string, string>).cookie = y.cookie();
  now = 8 * 3600_000;
  expect(sessions.current(y.request)).toBeNull();

  // Sign-out: the same cookie is dead at once.
  now = 0;
  const z = fakeExchange();
  await sessions.signIn(z.reply, { ...PRINCIPAL, roles: [...PRINCIPAL.roles] });
  (z.request.headers as Record<string, string>).cookie = z.cookie();
  const s = sessions.current(z.request)!;
  expect(sessions.csrfOk(s, s.csrf)).toBe(true);
  expect(sessions.csrfOk(s, `${s.csrf}x`)).toBe(false);
  expect(sessions.csrfOk(s, undefined)).toBe(false);
  sessions.signOut(z.request, z.reply);
  expect(z.headers['set-cookie']).toMatch(/Max-Age=0/i);
  expect(sessions.current(z.request)).toBeNull();
});

test('console routes open only with a session, never with the API bearer token; /v1 never with the cookie', async () => {
  const env = await startServiceEnv();
  try {
    for (const url of ['/jobs', '/jobs/x', '/jobs/x/review', '/jobs/x/events', '/jobs/x/files/a.jpg']) {
      const r = await env.service.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TEST_TOKEN}` } });
      expect(r.statusCode, url).toBe(303);
      expect(r.headers.location).toBe('/sign-in');
    }
    const post = await env.service.app.inject({ method: 'POST', url: '/jobs/x/approve', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'planHash=x' });
    expect(post.statusCode).toBe(401);
    // Forms are refused on the API exactly as before.
    const form = await env.service.app.inject({ method: 'POST', url: '/v1/jobs', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'kind=offboard' });
    expect(form.statusCode).toBe(415);
  } finally {
    await env.close();
  }
});

test('review rows: filters and paging over 10,000 rows x 4 apps, and a rewritten file is read again', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'seatctl-review-rows-'));
  const apps = ['bigid', 'sigma', 'stitch', 'billcom'];
  const verdicts = ['active_ok', 'orphaned', 'unknown_account', 'disabled_ok'];
  const rows = apps.flatMap((app) =>
    Array.from({ length: 10_000 }, (_, i) => ({ app, id: `${app}-${i}`, email: `person${i}@example.com`, name: `Person ${i}`, role: 'Viewer', status: 'active', origin: null, lastSeen: null, verdict: verdicts[i % 4], reason: 'r' })),
  );
  const artifacts = fileArtifacts(dir);
  const jobFolder = path.join(dir, 'jobs', 'job_r');
  mkdirSync(jobFolder, { recursive: true });
  writeFileSync(path.join(jobFolder, 'review.json'), JSON.stringify({ review: { rows } }));

  const all = await readReviewRows(artifacts, 'job_r', {}, 0, 100);
  expect(all?.total).toBe(40_000);
  expect(all?.apps).toEqual([...apps].sort());
  expect(all?.verdicts).toEqual([...verdicts].sort());
  const sigmaOrphans = await readReviewRows(artifacts, 'job_r', { app: 'sigma', verdict: 'orphaned' }, 100, 100);
  expect(sigmaOrphans?.total).toBe(2_500);
  expect(sigmaOrphans?.rows).toHaveLength(100);
  expect(sigmaOrphans?.rows[0]).toMatchObject({ app: 'sigma', email: 'person401@example.com', verdict: 'orphaned' });
  const byEmail = await readReviewRows(artifacts, 'job_r', { email: 'PERSON9999@' }, 0, 100);
  expect(byEmail?.total).toBe(4);
  const lastPage = await readReviewRows(artifacts, 'job_r', { app: 'bigid' }, 9_950, 100);
  expect(lastPage?.rows).toHaveLength(50);

  writeFileSync(path.join(jobFolder, 'review.json'), JSON.stringify({ review: { rows: rows.slice(0, 3) } }));
  expect((await readReviewRows(artifacts, 'job_r', {}, 0, 100))?.total).toBe(3);
  expect(await readReviewRows(artifacts, 'job_none', {}, 0, 100)).toBeNull();
});

test('the job event hub fans out per job and lets a follower go', () => {
  const events = createJobEvents();
  const seen: string[] = [];
  const off = events.subscribe('a', (e) => seen.push(`${e.jobId}:${e.kind}`));
  events.subscribe('b', () => {
    throw new Error('a broken follower');
  });
  events.publish({ kind: 'status', jobId: 'a', status: 'running' });
  events.publish({ kind: 'status', jobId: 'b', status: 'running' });
  expect(seen).toEqual(['a:status']);
  expect(events.listeners('a')).toBe(1);
  off();
  expect(events.listeners('a')).toBe(0);
});

test('a job page\'s event stream sends the state first, and shutdown ends open streams instead of waiting for the browser', async () => {
  const env = await startServiceEnv({ principals: [{ name: 'bob', roles: ['approver'], token: 'bob-approver-token-units-0001' }] });
  let closed = false;
  try {
    const job = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true });
    await env.waitFor(job.json.job.id, ['awaiting_approval']);
    await env.service.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(env.service.app.server.address() as { port: number }).port}`;
    // Sign in as a browser would: the form's token and its pre-session cookie, then the session cookie.
    const form = await fetch(`${base}/sign-in`);
    const pre = /^([^;]+)/.exec(form.headers.get('set-cookie')!)![1]!;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const signIn = await fetch(`${base}/sign-in`, { method: 'POST', redirect: 'manual', headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded', origin: base }, body: new URLSearchParams({ _csrf: csrf, token: 'bob-approver-token-units-0001' }) });
    expect(signIn.status).toBe(303);
    const session = /^([^;]+)/.exec(signIn.headers.get('set-cookie')!)![1]!;

    const stream = await fetch(`${base}/jobs/${job.json.job.id}/events`, { headers: { cookie: session } });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reader = stream.body!.getReader();
    let text = '';
    while (!text.includes('event: status')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: task');
    expect(text).toContain('"status":"awaiting_approval"');
    expect(text).not.toContain('bob-approver-token-units-0001');

    // The stream is open and the job is waiting: stopping must not hang on it.
    await env.close();
    closed = true;
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  } finally {
    if (!closed) await env.close();
  }
});
