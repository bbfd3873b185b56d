import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The local PostgreSQL the PostgreSQL tests use (SEATCTL_TEST_PG_URL, default the trust-auth
 * server on 127.0.0.1:5432). Each test works in a schema of its own, `seatctl_test_<random>`,
 * and drops only that schema: never anything it did not create.
 */
export const TEST_PG_URL = process.env.SEATCTL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testSchemaName(): string {
  return `seatctl_test_${randomBytes(6).toString('hex')}`;
}

/** A plain connection beside the store, as an operator with psql would have. */
export async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Drops a schema this test run created (the name is checked to be a test schema first). */
export async function dropTestSchema(schema: string): Promise<void> {
  if (!/^seatctl_test_[a-z0-9_]+$/.test(schema)) throw new Error(`refusing to drop ${schema}: not a test schema`);
  await withAdmin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}
