import type { Runtime } from '../engine/runtime.js';
import type { AppUser } from '../model/index.js';
import { createEvidenceSink } from '../audit/evidence-sink.js';
import { SeatctlError, toSeatctlError } from '../errors/index.js';
import path from 'node:path';
import { newId } from '../engine/new-id.js';

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

export interface CollectReviewOptions {
  /**
   * Live progress per app: users kept so far, and the total once the app has told it
   * (null until then). Called after every page, and once more at the end of a complete
   * app with read === total.
   */
  onProgress?: (app: string, read: number, total: number | null) => void;
  /** The config's `review.maxRows`: past this many accounts over all apps the review stops (a USAGE error naming the key). */
  maxRows?: number;
}

export interface ListReviewOptions extends CollectReviewOptions {
  /** The review's id: its evidence goes to `<dataDir>/reviews/<id>/<app>/`. */
  id: string;
  /**
   * Takes each page's rows as it arrives, before the next page is read: the listing
   * is never held whole here (run-review.ts writes it to disk). Rows of all apps come
   * in the order they were read, which is the order of an unreconciled review.
   */
  onRows: (rows: ReviewRow[]) => void;
}

/** The listing passed `review.maxRows`: nothing is reconciled or written. */
export function tooManyRowsError(maxRows: number): SeatctlError {
  return new SeatctlError('USAGE', `the listing has more than ${maxRows.toLocaleString('en-US')} accounts; the limit is ${maxRows.toLocaleString('en-US')} per review (config review.maxRows): review fewer apps at once, or raise the limit`, {
    details: { field: 'apps', limit: 'review.maxRows' },
  });
}

/**
 * Lists every user of every selected app, each app through its own queue. An app that
 * fails part-way is reported incomplete with what was read: never shown as complete.
 * Apps whose pages can be read independently (BigID offsets, Bill.com tabs) read up to
 * the app's configured concurrency of pages at once (docs/access-review.md).
 */
export async function listReview(runtime: Runtime, apps: string[], includeInactive: boolean, options: ListReviewOptions): Promise<AppReview[]> {
  const { id, onProgress, onRows } = options;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  // Over all apps: the cap bounds the memory of the whole review, not of one app.
  let listedRows = 0;
  const results = await Promise.all(
    apps.map(async (app): Promise<AppReview> => {
      const sink = createEvidenceSink(path.join(runtime.config.dataDir, 'reviews', id, app), runtime.redactor);
      let count = 0;
      let total: number | null = null;
      let iterator: AsyncIterator<AppUser[]> | undefined;
      try {
        const driver = runtime.driver(app);
        const settings = runtime.app(app);
        // Drivers that read each page through `readPage` get every page retried with
        // the app's retry policy, in the app's queue: a 429 or 503 on page 7 repeats
        // page 7 (same offset or cursor), and the listing goes on. Their `next()` is
        // not queued as well, or a page read would wait for a slot its own `next()`
        // holds.
        const retriesPages = driver.capabilities.retriesPages === true;
        const readPage = async <T>(read: () => Promise<T>): Promise<T> =>
          (await runtime.scheduler.run({ app, label: 'list users (page)', kind: 'read', policy: settings.retry, run: () => read() })).value;
        // Other drivers: an async generator that threw is finished, and a retried
        // next() would report "done" and turn a failed read into a silently short
        // list. So their page reads are not retried; a failure marks the app incomplete.
        const policy = { ...settings.retry, attempts: 1, maxThrottleWaits: 0 };
        const listOptions = {
          includeInactive,
          concurrency: settings.concurrency,
          onTotal: (n: number) => {
            total = n;
            onProgress?.(app, count, total);
          },
          ...(retriesPages ? { readPage } : {}),
        };
        const pages = driver.listUsers({ evidence: sink, dryRun: false }, listOptions)[Symbol.asyncIterator]();
        iterator = pages;
        for (;;) {
          // Each page handed over is one scheduled read; a driver may read up to
          // `concurrency` pages ahead of it.
          const next = retriesPages ? { value: await pages.next() } : await runtime.scheduler.run({ app, label: 'list users', kind: 'read', policy, run: () => pages.next() });
          if (next.value.done) break;
          const rows: ReviewRow[] = [];
          for (const u of next.value.value) {
            if (!includeInactive && (u.status === 'inactive' || u.status === 'archived')) continue;
            rows.push(toRow(u));
          }
          count += rows.length;
          listedRows += rows.length;
          // Every app stops at this page once the review as a whole is over the cap,
          // before the page is stored: at most `maxRows` accounts are ever kept.
          if (listedRows > maxRows) throw tooManyRowsError(maxRows);
          onRows(rows);
          onProgress?.(app, count, total);
        }
        onProgress?.(app, count, count);
        return { app, complete: true, count };
      } catch (err) {
        const e = toSeatctlError(err);
        return { app, complete: false, count, error: { code: e.code, message: runtime.redactor.scrub(e.message) } };
      } finally {
        // Releases what a listing that stopped early holds (a console's browser context).
        void iterator?.return?.()?.catch(() => undefined);
        await sink.writeRecord().catch(() => undefined);
      }
    }),
  );
  if (listedRows > maxRows) throw tooManyRowsError(maxRows);
  return results;
}

/** The whole listing in memory (tests and benchmarks of the listing itself; a review goes through run-review.ts). */
export async function collectReview(
  runtime: Runtime,
  apps: string[],
  includeInactive: boolean,
  options: CollectReviewOptions = {},
): Promise<{ rows: ReviewRow[]; apps: AppReview[]; id: string }> {
  const id = newId('review');
  const rows: ReviewRow[] = [];
  const results = await listReview(runtime, apps, includeInactive, { ...options, id, onRows: (page) => {
      for (const r of page) rows.push(r);
    } });
  return { rows, apps: results, id };
}
