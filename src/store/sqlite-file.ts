import { chmodSync, existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SeatctlError } from '../errors/index.js';
import { migrate } from './sqlite-schema.js';
import { ensurePrivateDirSync, touchPrivateFileSync } from '../fs/private-files.js';

/**
 * Opening the store's SQLite file: private file modes, the connection settings the
 * durability promise rests on, and the schema brought up to date.
 */

/** How long a write waits for another process's write lock (CLI next to the service). */
export const BUSY_TIMEOUT_MS = 5_000;

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** SQLite's companion files in WAL mode; they hold recent rows too, so they are as private as the db. */
export const SIDECAR_SUFFIXES = ['-wal', '-shm'] as const;

export function openSqliteFile(file: string): Database.Database {
  const absolute = path.resolve(file);
  // Jobs name people and the audit trail is evidence: only the service's user may read them.
  const dir = path.dirname(absolute);
  ensurePrivateDirSync(dir);
  // Create the file ourselves so it never exists, even briefly, with SQLite's umask-based mode;
  // a symlink planted at the db's path is refused rather than chmod-ed and written through.
  touchPrivateFileSync(absolute);

  let db: Database.Database | undefined;
  try {
    db = new Database(absolute);
    // First, so that switching to WAL and migrating wait for another process instead of failing.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // WAL: readers (the HTTP API, `seatctl jobs list`) never block the engine's writes, and a
    // commit is one append to the log rather than a rewrite of pages in place.
    db.pragma('journal_mode = WAL');
    // The engine writes a task's intent before an external mutation and its result after; on
    // restart it trusts those rows to decide what to re-read. A committed row already survives
    // kill -9 in WAL mode (it is in the OS page cache), but with the default NORMAL the last
    // commits can still vanish if the host itself dies (power cut, VM killed). FULL fsyncs the
    // log on every commit, so "the promise resolved" means "it is on disk": a few ms per write,
    // which is nothing next to one SaaS API call.
    db.pragma('synchronous = FULL');
    // Per connection and off by default in SQLite: without it a task or audit row could point
    // at a job that does not exist.
    db.pragma('foreign_keys = ON');
    migrate(db);
    secureSidecars(absolute);
  } catch (err) {
    db?.close();
    if (err instanceof SeatctlError) throw err;
    // SQLITE_NOTADB and friends: say which file, keep the cause for the log.
    throw new SeatctlError('INTERNAL', `job store ${absolute}: cannot open it (${(err as Error).message})`, {
      details: { file: absolute },
      cause: err,
    });
  }
  return db;
}

/**
 * SQLite creates -wal/-shm with the db file's mode already; this makes sure of it for
 * files left behind by an older run or created by a tool with another umask.
 */
export function secureSidecars(file: string): void {
  for (const suffix of SIDECAR_SUFFIXES) {
    const sidecar = `${file}${suffix}`;
    if (!existsSync(sidecar)) continue;
    if (lstatSync(sidecar).isSymbolicLink()) throw new SeatctlError('UNSAFE_PATH', `${sidecar}: refused (it is a symbolic link; seatctl never writes through one)`, { details: { file: sidecar } });
    chmodSync(sidecar, FILE_MODE);
  }
}
