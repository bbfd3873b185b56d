import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.js';
import { createSecretResolver, MAX_SECRET_FILE_BYTES } from '../../src/config/secret-ref.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import type { EvidenceSink } from '../../src/drivers/driver.js';
import { SeatctlError } from '../../src/errors/index.js';
import { createHttpClient } from '../../src/http/http-client.js';
import { createRedactor } from '../../src/log/redactor.js';
import type { EvidenceItem } from '../../src/model/index.js';
import { scanTempDir } from '../support/scan-root.js';

function resolverIn(dir: string) {
  const warnings: string[] = [];
  const resolver = createSecretResolver({ redactor: createRedactor(), baseDir: dir, env: {}, warn: (m) => warnings.push(m) });
  return { warnings, resolve: (ref: string) => resolver.resolve(ref, 'apps.x.credentials.password') };
}

function codeAndMessage(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof SeatctlError) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a SeatctlError, nothing was thrown');
}

test.describe('security #7: file: secret references read only small regular files', () => {
  test('a FIFO is refused at once instead of blocking the event loop', async () => {
    const dir = scanTempDir('seatctl-secret-fifo-');
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const { resolve } = resolverIn(dir);
    // A blocking read would hang here until the test timeout: no writer ever opens the FIFO.
    const got = codeAndMessage(() => resolve('file:pipe'));
    expect(got.code).toBe('SECRET_UNRESOLVED');
    expect(got.message).toContain('apps.x.credentials.password');
    expect(got.message).toContain('not a regular file');
  });

  test('a device such as /dev/zero is refused, not read without end', () => {
    const { resolve } = resolverIn('/');
    const got = codeAndMessage(() => resolve('file:/dev/zero'));
    expect(got).toEqual({ code: 'SECRET_UNRESOLVED', message: expect.stringContaining('not a regular file') });
  });

  test('a file over the size cap is refused before it is read', () => {
    const dir = scanTempDir('seatctl-secret-big-');
    writeFileSync(path.join(dir, 'big'), 'x'.repeat(MAX_SECRET_FILE_BYTES + 1), { mode: 0o600 });
    const got = codeAndMessage(() => resolverIn(dir).resolve('file:big'));
    expect(got.code).toBe('SECRET_UNRESOLVED');
    expect(got.message).toContain(`larger than ${MAX_SECRET_FILE_BYTES} bytes`);
  });

  test('a private regular file is read exactly, without a warning', () => {
    const dir = scanTempDir('seatctl-secret-ok-');
    writeFileSync(path.join(dir, 'pw'), 's3cret-value-under-test\n', { mode: 0o600 });
    const r = resolverIn(dir);
    expect(r.resolve('file:pw')).toBe('s3cret-value-under-test');
    expect(r.warnings).toEqual([]);
  });

  test('a secret file others can read is used, with a warning that names the field and the fix', () => {
    const dir = scanTempDir('seatctl-secret-open-');
    const file = path.join(dir, 'pw');
    writeFileSync(file, 'open-secret-value');
    chmodSync(file, 0o644);
    const r = resolverIn(dir);
    expect(r.resolve('file:pw')).toBe('open-secret-value');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain('apps.x.credentials.password');
    expect(r.warnings[0]).toContain('mode 644');
    expect(r.warnings[0]).toContain('chmod 600');
    expect(r.warnings[0]).not.toContain('open-secret-value');
  });
});

test.describe('security #5: no credentials in URLs', () => {
  const config = (baseUrl: string) => ({
    dataDir: 'data',
    apps: { bigid: { driver: 'bigid-api', baseUrl, credentials: { username: 'svc', password: 'env:BIGID_PASSWORD' } } },
  });

  test('a baseUrl with user:password@ is refused, naming the field, without echoing the password', () => {
    let error: unknown;
    try {
      parseConfig(config('http://admin:Hunter2Pass@127.0.0.1:9/api/v1'), builtInDrivers(), { source: 'test.json', baseDir: '/' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SeatctlError);
    const e = error as SeatctlError;
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('apps.bigid.baseUrl');
    expect(e.message).toContain('user name or password');
    expect(e.message).not.toContain('Hunter2Pass');
  });

  test('a baseUrl without userinfo still loads', () => {
    const loaded = parseConfig(config('http://127.0.0.1:9/api/v1'), builtInDrivers(), { source: 'test.json', baseDir: '/' });
    expect(loaded.apps.bigid?.baseUrl).toBe('http://127.0.0.1:9/api/v1');
  });

  test('request records never keep userinfo, even when a driver module passes it in a base URL', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(String(req.headers.authorization ?? ''));
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const records: EvidenceItem[] = [];
    const evidence = { add: (r: EvidenceItem) => records.push(r) } as unknown as EvidenceSink;
    try {
      const http = createHttpClient({ baseUrl: `http://mod-user:UrlPassw0rd@127.0.0.1:${port}/api`, timeoutMs: 5000, redactor: createRedactor(), app: 'x' });
      await http.send({ method: 'GET', path: '/users', query: { skip: 0 } }, evidence);
      http.plan({ method: 'DELETE', path: '/users/1' }, evidence);
    } finally {
      server.close();
    }
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(JSON.stringify(r)).not.toContain('UrlPassw0rd');
      expect(JSON.stringify(r)).not.toContain('mod-user');
    }
    expect((records[0] as { url: string }).url).toBe(`http://127.0.0.1:${port}/api/users?skip=0`);
  });
});
