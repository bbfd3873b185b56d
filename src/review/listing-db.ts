import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensurePrivateDirSync, touchPrivateFileSync } from '../fs/private-files.js';
import { rowOrderKey, VERDICTS, type Reconciler, type ReconciledRow } from './reconcile.js';
import type { ReviewRow } from './review-rows.js';

/**
 * One review's working database: the listing goes here page by page as it is read,
 * is reconciled here in batches, and the outputs are read back from here in order. So a
 * review holds one page (or one batch of 1,000 rows) of accounts in memory at a time,
 * plus the roster, whatever the size of the listing (docs/access-review.md).
 *
 * A scratch file, not evidence: it lives in the review's folder under the data dir
 * (`reviews/<id>/listing.sqlite`, folder 0700, file 0600, created without following a
 * symlink), is written without a journal or fsync (a review cut short runs again from
 * the start), and is deleted when the review's files are written. Rows are stored as
 * their JSON text, which keeps every string exactly, lone surrogates included (SQLite's
 * TEXT would turn those into U+FFFD).
 */
export const LISTING_FILE = 'listing.sqlite';

/** Rows reconciled per transaction: the memory of the reconciliation pass. */
const BATCH = 1_000;

export interface ListingDb {
  /** Stores one page of listed rows, in listing order. */
  add(rows: ReviewRow[]): void;
  /**
   * Judges every stored row in listing order, then adds the missing rows, into a table
   * whose key is the output order; the listing is deleted batch by batch as it goes.
   */
  reconcile(reconciler: Reconciler): void;
  /** Rows in the output per app (missing rows included once reconciled). */
  readonly perApp: ReadonlyMap<string, number>;
  /** Listing order before `reconcile`, reconciled order after. */
  rows(): Generator<ReviewRow | ReconciledRow>;
  orphans(): Generator<ReconciledRow>;
  /** Closes and deletes the file. */
  remove(): void;
}

export function openListingDb(dir: string): ListingDb {
  ensurePrivateDirSync(dir);
  const file = path.join(dir, LISTING_FILE);
  touchPrivateFileSync(file);
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  // Sorting and temporary tables spill to files, not memory.
  db.pragma('temp_store = FILE');
  db.pragma('cache_size = -8000');
  db.exec(`
    CREATE TABLE listed (seq INTEGER PRIMARY KEY, row TEXT NOT NULL);
    -- ord: the output order (reconcile.ts rowOrderKey); seq keeps equal keys in listing order.
    CREATE TABLE reconciled (ord BLOB NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (ord, seq)) WITHOUT ROWID;
  `);
  const insertListed = db.prepare('INSERT INTO listed (seq, row) VALUES (?, ?)');
  const insertReconciled = db.prepare('INSERT INTO reconciled (ord, seq, row) VALUES (?, ?, ?)');
  const batchAfter = db.prepare('SELECT seq, row FROM listed WHERE seq > ? ORDER BY seq LIMIT ?');
  const dropUpTo = db.prepare('DELETE FROM listed WHERE seq <= ?');
  const perApp = new Map<string, number>();
  const countApp = (app: string) => perApp.set(app, (perApp.get(app) ?? 0) + 1);
  let seq = 0;
  let reconciled = false;

  const addPage = db.transaction((rows: ReviewRow[]) => {
    for (const row of rows) {
      seq += 1;
      insertListed.run(seq, JSON.stringify(row));
      countApp(row.app);
    }
  });
  const judgeBatch = db.transaction((batch: { seq: number; row: string }[], reconciler: Reconciler) => {
    for (const b of batch) {
      const row = reconciler.judge(JSON.parse(b.row) as ReviewRow);
      insertReconciled.run(rowOrderKey(row), b.seq, JSON.stringify(row));
    }
    dropUpTo.run(batch.at(-1)!.seq);
  });
  const addMissing = db.transaction((rows: ReconciledRow[]) => {
    for (const row of rows) {
      seq += 1;
      insertReconciled.run(rowOrderKey(row), seq, JSON.stringify(row));
      countApp(row.app);
    }
  });

  function* parsed<T>(statement: Database.Statement, ...params: unknown[]): Generator<T> {
    for (const r of statement.pluck().iterate(...params)) yield JSON.parse(r as string) as T;
  }

  return {
    perApp,
    add(rows) {
      if (reconciled) throw new Error('listing-db: add after reconcile');
      if (rows.length) addPage(rows);
    },
    reconcile(reconciler) {
      reconciled = true;
      for (let after = 0; ; ) {
        const batch = batchAfter.all(after, BATCH) as { seq: number; row: string }[];
        if (!batch.length) break;
        judgeBatch(batch, reconciler);
        after = batch.at(-1)!.seq;
      }
      let missing: ReconciledRow[] = [];
      for (const row of reconciler.missing()) {
        missing.push(row);
        if (missing.length === BATCH) {
          addMissing(missing);
          missing = [];
        }
      }
      addMissing(missing);
    },
    rows() {
      return reconciled ? parsed(db.prepare('SELECT row FROM reconciled ORDER BY ord, seq')) : parsed(db.prepare('SELECT row FROM listed ORDER BY seq'));
    },
    orphans() {
      // A verdict's rows are the keys that start with its byte.
      const v = VERDICTS.indexOf('orphaned');
      return reconciled ? parsed(db.prepare('SELECT row FROM reconciled WHERE ord >= ? AND ord < ? ORDER BY ord, seq'), Buffer.from([v]), Buffer.from([v + 1])) : parsed(db.prepare('SELECT row FROM listed WHERE 0'));
    },
    remove() {
      if (db.open) db.close();
      rmSync(file, { force: true });
    },
  };
}
