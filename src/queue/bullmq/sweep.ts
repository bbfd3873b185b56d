import type { Logger } from '../../log/logger.js';
import type { JobStore, StoredJob } from '../../store/job-store.js';
import type { BullmqQueues } from './bullmq-queues.js';
import { leaseIsFree } from './lease.js';
import { jobLeaseKey } from './names.js';

/**
 * The store is the source of truth and Redis only dispatches: every worker re-queues,
 * now and then, each unfinished job nobody holds (planning, running, planned and due,
 * approved but not started). A run already queued has the same id and is not added
 * twice, so after Redis lost its data this puts back exactly what was lost.
 */
export async function sweepOnce(store: JobStore, queues: BullmqQueues, owner: string): Promise<string[]> {
  await queues.applyLimits();
  const candidates = new Map<string, StoredJob>();
  for (const s of [...(await store.unfinished()), ...(await store.due(new Date()))]) candidates.set(s.job.id, s);
  let cursor: string | undefined;
  do {
    const page = await store.list({ status: 'awaiting_approval', limit: 200, ...(cursor ? { cursor } : {}) });
    for (const s of page.jobs) if (s.planHash && s.approvedHash === s.planHash) candidates.set(s.job.id, s);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  const queued: string[] = [];
  for (const s of candidates.values()) {
    if (!(await leaseIsFree(store, jobLeaseKey(s.job.id), owner))) continue;
    await queues.enqueueRun(s.job.id, s.statusHistory.length, s.meta.runAt);
    queued.push(s.job.id);
  }
  return queued;
}

export function startSweep(store: JobStore, queues: BullmqQueues, owner: string, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = sweepOnce(store, queues, owner).then(
      (queued) => {
        if (queued.length) log.info({ jobs: queued.length }, 'sweep: re-queued unfinished jobs from the store');
      },
      (err: unknown) => log.error({ err: (err as Error).message }, 'sweep failed'),
    );
  };
  tick();
  const timer = setInterval(tick, queues.settings.sweepIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
