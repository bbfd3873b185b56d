import type { Runtime } from '../engine/runtime.js';
import type { AppUser } from '../model/index.js';
import { createEvidenceSink } from '../audit/evidence-sink.js';
import { toSeatctlError } from '../errors/index.js';
import path from 'node:path';
import { newId } from '../engine/build-job.js';

export interface ReviewRow {
  app: string;
  id: string;
  email: string;
  name: string;
  role: string | null;
  status: string;
  origin: string | null;
  lastSeen: string | null;
}

export interface AppReview {
  app: string;
  complete: boolean;
  count: number;
  error?: { code: string; message: string };
}

export const REVIEW_COLUMNS = ['app', 'id', 'email', 'name', 'role', 'status', 'origin', 'lastSeen'] as const;

export const toRow = (u: AppUser): ReviewRow => ({ app: u.app, id: u.id, email: u.email, name: u.name, role: u.role, status: u.status, origin: u.origin, lastSeen: u.lastSeen ?? null });

/**
 * Lists every user of every selected app, each app through its own queue. An app that
 * fails part-way is reported incomplete with what was read: never shown as complete.
 */
export async function collectReview(runtime: Runtime, apps: string[], includeInactive: boolean): Promise<{ rows: ReviewRow[]; apps: AppReview[]; id: string }> {
  const id = newId('review');
  const rows: ReviewRow[] = [];
  const results = await Promise.all(
    apps.map(async (app): Promise<AppReview> => {
      const sink = createEvidenceSink(path.join(runtime.config.dataDir, 'reviews', id, app), runtime.redactor);
      let count = 0;
      try {
        const driver = runtime.driver(app);
        // An async generator that threw is finished: a retried next() would report
        // "done" and turn a failed read into a silently short list. So page reads are
        // not retried here; a failure marks the app incomplete.
        const policy = { ...runtime.app(app).retry, attempts: 1, maxThrottleWaits: 0 };
        const iterator = driver.listUsers({ evidence: sink, dryRun: false }, { includeInactive })[Symbol.asyncIterator]();
        for (;;) {
          // Each page is one scheduled read: caps and retries apply per page.
          const next = await runtime.scheduler.run({ app, label: 'list users', kind: 'read', policy, run: () => iterator.next() });
          if (next.value.done) break;
          for (const u of next.value.value) {
            if (!includeInactive && (u.status === 'inactive' || u.status === 'archived')) continue;
            rows.push(toRow(u));
            count += 1;
          }
        }
        return { app, complete: true, count };
      } catch (err) {
        const e = toSeatctlError(err);
        return { app, complete: false, count, error: { code: e.code, message: runtime.redactor.scrub(e.message) } };
      } finally {
        await sink.writeRecord().catch(() => undefined);
      }
    }),
  );
  return { rows, apps: results, id };
}
