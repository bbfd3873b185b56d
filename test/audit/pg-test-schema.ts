import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The local PostgreSQL (trust auth); CI starts one (.ci/run). */
export const pgTestUrl = (): string => process.env.SEATCTL_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A schema of this run's own, `seatctl_art_<random>`: the artifact store creates it;
 * `drop` removes it and only it.
 */
export async function withPgSchema(): Promise<{ name: string; drop(): Promise<void> }> {
  const name = `seatctl_art_${randomBytes(5).toString('hex')}`;
  return {
    name,
    async drop() {
      const client = new pg.Client({ connectionString: pgTestUrl() });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
