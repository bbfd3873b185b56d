import { chmodSync, closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { SeatctlError } from '../errors/index.js';

/**
 * Files seatctl writes under its data dir (the store, logs, reports, sessions, evidence)
 * name people and hold the audit trail. Whoever can plant a symlink there must not be
 * able to make seatctl write, append to or chmod a file elsewhere, so every such file is
 * opened with O_NOFOLLOW: a symlink in its place is refused, never followed.
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

function refused(file: string, err: NodeJS.ErrnoException): SeatctlError {
  // ELOOP is what O_NOFOLLOW answers for a symlink at the last path component.
  const reason = err.code === 'ELOOP' ? 'it is a symbolic link; seatctl never writes through one' : (err.code ?? 'cannot open');
  return new SeatctlError('UNSAFE_PATH', `${file}: refused (${reason})`, { details: { file }, cause: err });
}

/** Opens for writing without following a symlink; `append` keeps what is there (logs, the db). */
export function openPrivateFileSync(file: string, how: 'truncate' | 'append'): number {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (how === 'append' ? constants.O_APPEND : constants.O_TRUNC);
  let fd: number;
  try {
    fd = openSync(file, flags, PRIVATE_FILE_MODE);
  } catch (err) {
    throw refused(file, err as NodeJS.ErrnoException);
  }
  // fchmod on the descriptor: the mode of the file we opened, not of whatever a path now names.
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

/** Creates or replaces a private file's content (reports, job documents, sessions). */
export async function writePrivateFile(file: string, data: string | Uint8Array): Promise<void> {
  let handle;
  try {
    handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, PRIVATE_FILE_MODE);
  } catch (err) {
    throw refused(file, err as NodeJS.ErrnoException);
  }
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Ensures the file exists and is private, refusing a symlink in its place (the SQLite db). */
export function touchPrivateFileSync(file: string): void {
  closeSync(openPrivateFileSync(file, 'append'));
}

/**
 * Makes sure a data-dir folder exists, is a real folder (not a symlink) and that no
 * one but its owner can write into it. A folder we own with group/other write is fixed
 * (chmod 700) and reported through `warn`, loudly but without stopping a service over a
 * umask; one owned by another user, or a symlink, is refused.
 */
export function ensurePrivateDirSync(dir: string, warn: (message: string) => void = () => {}): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const link = lstatSync(dir);
  if (link.isSymbolicLink()) {
    throw new SeatctlError('UNSAFE_PATH', `${dir}: refused (the data folder is a symbolic link; point dataDir at the real folder)`, { details: { file: dir } });
  }
  if (!link.isDirectory()) throw new SeatctlError('UNSAFE_PATH', `${dir}: refused (not a folder)`, { details: { file: dir } });
  const uid = process.getuid?.();
  if (uid !== undefined && link.uid !== uid) {
    throw new SeatctlError('UNSAFE_PATH', `${dir}: refused (owned by uid ${link.uid}, not by this process's uid ${uid})`, { details: { file: dir } });
  }
  if ((link.mode & 0o022) !== 0) {
    chmodSync(dir, PRIVATE_DIR_MODE);
    warn(`${dir} was writable by its group or others (mode ${(link.mode & 0o777).toString(8)}); seatctl set it to 700`);
  }
}

/** What seatctl keeps under its data dir (docs/service.md, "Data dir"). */
export const DATA_DIR_FOLDERS = ['jobs', 'logs', 'sessions', 'reviews', 'scratch', 'reports'] as const;

/** The data dir and the folders seatctl keeps in it, each checked as above. */
export function securePrivateTree(dataDir: string, subfolders: readonly string[], warn?: (message: string) => void): void {
  ensurePrivateDirSync(dataDir, warn);
  for (const sub of subfolders) {
    const dir = path.join(dataDir, sub);
    // Only what exists: a folder seatctl has not made yet is made private when it is.
    if (lstatSync(dir, { throwIfNoEntry: false }) !== undefined) ensurePrivateDirSync(dir, warn);
  }
}
