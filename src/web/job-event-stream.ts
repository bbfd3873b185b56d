import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobEvent, JobEvents } from '../engine/job-events.js';
import type { Task } from '../model/index.js';
import type { StoredJob } from '../store/index.js';
import { TERMINAL_STATUSES } from './job-page.js';

/** Keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** What the page needs of a task: the cells it updates, nothing more. */
const taskData = (t: Task) => ({ id: t.id, status: t.status, outcome: t.outcome, detail: t.error ? `${t.error.code}: ${t.error.message}` : t.detail });

/**
 * Server-sent events for one job: the current state first (the page may be older than
 * the stream), then every change as it is stored, and the stream ends when the job
 * does. `streams` holds an ender per open stream, so the service can close them at
 * shutdown rather than wait for the browsers.
 */
export async function openJobEventStream(req: FastifyRequest, reply: FastifyReply, jobId: string, load: () => Promise<StoredJob>, events: JobEvents | undefined, streams: Set<() => void>): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-accel-buffering': 'no' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

  let unsubscribe = () => {};
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const end = () => {
    clearInterval(heartbeat);
    unsubscribe();
    streams.delete(end);
    if (!res.writableEnded) res.end();
  };
  streams.add(end);
  req.raw.once('close', end);

  const onEvent = (e: JobEvent) => {
    if (e.kind === 'task') send('task', taskData(e.task));
    else {
      const terminal = TERMINAL_STATUSES.has(e.status);
      send('status', { status: e.status, terminal });
      if (terminal) end();
    }
  };
  // Subscribed before the snapshot is read: a change in between arrives as an event
  // and the snapshot, read later, is at least as new.
  if (events) unsubscribe = events.subscribe(jobId, onEvent);
  res.write('retry: 3000\n\n');
  const stored = await load();
  if (res.writableEnded) return;
  for (const t of stored.job.tasks) send('task', taskData(t));
  onEvent({ kind: 'status', jobId: stored.job.id, status: stored.job.status });
}
