import path from 'node:path';
import { createSecretResolver, type SecretResolver } from '../config/secret-ref.js';
import { DEFAULT_STORE_CONFIG, type StoreConfig } from '../config/store-schema.js';
import { createRedactor } from '../log/redactor.js';
import type { JobStore } from './job-store.js';
import { createPostgresJobStore } from './postgres-job-store.js';
import { createSqliteJobStore } from './sqlite-job-store.js';

/** The store file's name inside the data dir (backups and docs refer to it). */
export const STORE_FILE_NAME = 'seatctl.db';

export function storeFile(dataDir: string): string {
  return path.join(dataDir, STORE_FILE_NAME);
}

/**
 * What openJobStore reads from the loaded config: the data dir (SQLite), the `store`
 * section (SQLite when absent) and the folder relative `file:` secrets resolve against.
 */
export interface StoreSource {
  dataDir: string;
  store?: StoreConfig | undefined;
  baseDir?: string | undefined;
}

export interface OpenStoreOptions {
  /** Clock for the store's own times (tests pin it). */
  now?: () => Date;
  /**
   * Resolves `store.url`; pass the process's resolver so the URL is registered with its
   * redactor. Without one, a private resolver is used (the store never logs the URL).
   */
  secrets?: SecretResolver;
  env?: NodeJS.ProcessEnv;
}

/**
 * The one place that picks a backend, so the service, workers and the CLI open the same
 * store the same way: SQLite in the data dir unless the config says `store.kind:
 * "postgres"`. Async because PostgreSQL connects and migrates before it is usable.
 */
export async function openJobStore(config: StoreSource, options: OpenStoreOptions = {}): Promise<JobStore> {
  const store = config.store ?? DEFAULT_STORE_CONFIG;
  const clock = options.now ? { now: options.now } : {};
  if (store.kind === 'sqlite') return createSqliteJobStore({ file: storeFile(config.dataDir), ...clock });
  const secrets =
    options.secrets ?? createSecretResolver({ redactor: createRedactor(), baseDir: config.baseDir ?? process.cwd(), ...(options.env ? { env: options.env } : {}) });
  // The schema check made url required for postgres; a hand-built config may still lack it.
  const url = secrets.resolve(store.url ?? '', 'store.url');
  return createPostgresJobStore({
    url,
    ...(store.schema === undefined ? {} : { schema: store.schema }),
    ...(store.poolSize === undefined ? {} : { poolSize: store.poolSize }),
    ...clock,
  });
}
