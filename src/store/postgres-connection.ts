import type pg from 'pg';

/**
 * Holding one pooled PostgreSQL connection across awaits, for the job store and the
 * artifact store alike.
 */
/**
 * Runs `fn` on one pooled connection held across awaits. pg emits 'error' on a
 * checked-out connection whose server goes away (restart, failover); with no listener
 * that is an uncaught exception and the whole process exits (seen in
 * test/scale/servers-restarted-mid-run.spec.ts). The query in flight rejects anyway, so
 * the listener only has to exist. A connection that failed in any way is destroyed, not
 * handed out again: errors are rare, a new connection is cheap.
 */
export async function withConnection<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed = false;
  const onError = () => {
    failed = true;
  };
  client.on('error', onError);
  try {
    return await fn(client);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.off('error', onError);
    client.release(failed);
  }
}

/** BEGIN … COMMIT on one pooled connection; ROLLBACK and rethrow on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return withConnection(pool, async (client) => {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      // The connection may itself be gone; withConnection destroys it either way.
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}
