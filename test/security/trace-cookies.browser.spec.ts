import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { chromium } from 'playwright';
import { LAUNCH_ARGS, resolveChromium } from '../../src/browser/resolve-chromium.js';
import { scrubTrace } from '../../src/console/trace-scrub.js';
import { scanTempDir } from '../support/scan-root.js';

const STORED = 'trusted-device-cookie-value-7f3a9c';
const ISSUED = 'fresh-session-cookie-value-41b2e8';
const BASIC_PASSWORD = 'basic-auth-password-9d0c77';
/** What the browser sends for HTTP basic auth: never in the page source, only in the header. */
const BASIC = Buffer.from(`admin:${BASIC_PASSWORD}`).toString('base64');

test('security #1: a trace scrubbed by scrubTrace keeps no Cookie, Set-Cookie or Authorization value', async () => {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Basic ${BASIC}`) {
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'Basic realm="console"');
      res.end();
      return;
    }
    if (req.url === '/api') {
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
      return;
    }
    res.setHeader('set-cookie', `sess=${ISSUED}; HttpOnly; Path=/`);
    res.setHeader('content-type', 'text/html');
    res.end(`<html><body><h1>Users</h1><script>fetch('/api')</script></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const dir = scanTempDir('seatctl-trace-scrub-');
  const raw = path.join(dir, 'raw.zip');
  const browser = await chromium.launch({ executablePath: resolveChromium().path, args: LAUNCH_ARGS });
  try {
    const context = await browser.newContext({
      httpCredentials: { username: 'admin', password: BASIC_PASSWORD },
      storageState: { cookies: [{ name: 'trusted', value: STORED, domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }], origins: [] },
    });
    await context.tracing.start({ screenshots: true, snapshots: true });
    const page = await context.newPage();
    const api = page.waitForResponse((r) => r.url().endsWith('/api'));
    await page.goto(`http://127.0.0.1:${port}/`);
    await api;
    await context.tracing.stop({ path: raw });
    await context.close();
  } finally {
    await browser.close();
    server.close();
  }
  // The unscrubbed trace really holds all three: otherwise this test proves nothing.
  const before = Object.values(unzipSync(readFileSync(raw))).map((d) => strFromU8(d)).join('\n');
  for (const v of [STORED, ISSUED, BASIC]) expect(before).toContain(v);

  const scrubbed = path.join(dir, 'trace.zip');
  writeFileSync(scrubbed, scrubTrace(readFileSync(raw), [STORED]));
  // An independent zip reader lists it: the trace is still a valid archive.
  const listing = execFileSync('unzip', ['-l', scrubbed], { encoding: 'utf8' });
  expect(listing).toContain('trace.trace');
  expect(listing).toContain('trace.network');
  const entries = unzipSync(readFileSync(scrubbed));
  const all = Object.values(entries).map((d) => strFromU8(d)).join('\n');
  for (const v of [STORED, ISSUED, BASIC, BASIC_PASSWORD]) expect(all).not.toContain(v);
  // Ordinary headers stay, so the trace is still useful for debugging.
  const network = strFromU8(entries['trace.network']!);
  expect(network).toContain(`"name":"Host","value":"127.0.0.1:${port}"`);
  expect(network).toContain('"name":"Cookie","value":"[REDACTED]"');
  // The raw file is test scaffolding: it goes, as seatctl deletes its own unscrubbed trace.
  rmSync(raw);
});
