import path from 'node:path';
import type { JobStore } from './job-store.js';
import { createSqliteJobStore } from './sqlite-job-store.js';

/** The store file's name inside the data dir (backups and docs refer to it). */
export const STORE_FILE_NAME = 'seatctl.db';

export function storeFile(dataDir: string): string {
  return path.join(dataDir, STORE_FILE_NAME);
}

/**
 * The one place that picks a backend, so the service and the CLI open the same store
 * the same way; the Redis-backed store for several workers will be chosen here too.
 */
export function openJobStore(dataDir: string, options: { now?: () => Date } = {}): JobStore {
  return createSqliteJobStore({ file: storeFile(dataDir), ...options });
}
