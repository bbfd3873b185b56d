import type pg from 'pg';

// Holding one pooled PostgreSQL connection across awaits, for the job store and the
// artifact store alike.

/**
 * Runs `fn` on one pooled connection held across awaits. pg emits 'error' on a
 * checked-out connection whose server goes away (restart, failover); with no listener
 * that is an uncaught exception and the whole process exits (seen in
 * test/scale/servers-restarted-mid-run.spec.ts). The query in flight rejects anyway, so
 * the listener only has to note it. A connection that saw such an error, or that `fn`
 * marks broken, is destroyed rather than handed out again; one that only carried a
 * refused statement (a conflict, a business rule) goes back to the pool.
 */
export async function withConnection<T>(pool: pg.Pool, fn: (client: pg.PoolClient, markBroken: () => void) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  const markBroken = () => {
    broken = true;
  };
  client.on('error', markBroken);
  try {
    return await fn(client, markBroken);
  } finally {
    client.off('error', markBroken);
    client.release(broken);
  }
}

/** BEGIN … COMMIT on one pooled connection; ROLLBACK and rethrow on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client, markBroken) => {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // A ROLLBACK that fails means the connection itself is gone.
      await client.query('ROLLBACK').catch(markBroken);
      throw err;
    }
  });
}
