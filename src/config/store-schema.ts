import { z } from 'zod';
import { secretRefSchema } from './secret-ref.js';

/**
 * Where jobs, the audit chain and the webhook outbox live. SQLite in the data dir is the
 * default (one machine, nothing to run); PostgreSQL is for several `serve`/`worker`
 * processes on several machines. One object with a `kind` rather than a zod union, so a
 * mistake is reported on the field that is wrong, not as "Invalid input".
 */
export const STORE_SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
export const DEFAULT_STORE_SCHEMA = 'seatctl';

export const storeConfigSchema = z
  .object({
    kind: z.enum(['sqlite', 'postgres']).default('sqlite').describe('`sqlite`: one file, `<dataDir>/seatctl.db` (one machine); `postgres`: a PostgreSQL database shared by every seatctl process'),
    url: secretRefSchema
      .optional()
      .describe('postgres only, required: the connection URL (`postgres://user:password@host:5432/db?sslmode=…`) as a secret reference `env:NAME` or `file:/path`; never logged nor shown in errors'),
    schema: z
      .string()
      .regex(STORE_SCHEMA_NAME, 'lower-case letters, digits and _, not starting with a digit (1-63)')
      .optional()
      .describe('postgres only: the schema holding seatctl\'s tables, created if absent (default `seatctl`); lets several installations share one database'),
    poolSize: z.number().int().min(1).max(100).optional().describe('postgres only: connections per process (default 10)'),
  })
  .strict()
  .superRefine((store, ctx) => {
    if (store.kind === 'postgres' && store.url === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'required for kind "postgres" (a secret reference such as "env:SEATCTL_PG_URL")' });
    if (store.kind === 'sqlite') {
      for (const key of ['url', 'schema', 'poolSize'] as const) {
        if (store[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'only for kind "postgres" (the SQLite store is <dataDir>/seatctl.db)' });
      }
    }
  })
  .describe('the job store: SQLite in the data dir (default), or PostgreSQL for several processes');
export type StoreConfig = z.infer<typeof storeConfigSchema>;
export const DEFAULT_STORE_CONFIG: StoreConfig = { kind: 'sqlite' };
