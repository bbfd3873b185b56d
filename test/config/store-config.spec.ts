import { test, expect } from '@playwright/test';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { parseConfig } from '../../src/config/load-config.js';

/** Issue 14 item 2: `store` picks the job store; SQLite when absent, PostgreSQL only with a URL reference. */
const config = (store?: unknown) => ({
  dataDir: 'data',
  apps: { bigid: { driver: 'bigid-api', baseUrl: 'http://127.0.0.1:9/api/v1', credentials: { username: 'svc', password: 'env:BIGID_PASSWORD' } } },
  ...(store === undefined ? {} : { store }),
});
const parse = (store?: unknown) => parseConfig(config(store), builtInDrivers(), { source: 'test.json', baseDir: '/' });

function refusal(store: unknown): string {
  try {
    parse(store);
  } catch (err) {
    expect(err).toMatchObject({ code: 'CONFIG_INVALID' });
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

test('no store section is SQLite; a postgres store keeps its URL reference and schema', () => {
  expect(parse().store).toEqual({ kind: 'sqlite' });
  expect(parse({ kind: 'postgres', url: 'env:SEATCTL_PG_URL', schema: 'seatctl_prod' }).store).toEqual({ kind: 'postgres', url: 'env:SEATCTL_PG_URL', schema: 'seatctl_prod' });
});

test('a postgres store needs a URL, as a secret reference, never inline; mistakes name the field', () => {
  expect(refusal({ kind: 'postgres' })).toContain('store.url');
  const inline = refusal({ kind: 'postgres', url: 'postgres://seatctl:Hunter2Pass@db:5432/seatctl' });
  expect(inline).toContain('store.url');
  expect(inline).not.toContain('Hunter2Pass');
  expect(refusal({ kind: 'postgres', url: 'env:PG', schema: 'Seatctl; DROP SCHEMA public' })).toContain('store.schema');
  expect(refusal({ kind: 'postgres', url: 'env:PG', schema: '1abc' })).toContain('store.schema');
  expect(refusal({ kind: 'sqlite', url: 'env:PG' })).toContain('store.url');
  expect(refusal({ kind: 'redis' })).toContain('store.kind');
  expect(refusal({ kind: 'postgres', url: 'env:PG', host: 'db' })).toContain('host');
});
