import { test, expect } from '@playwright/test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright';
import { LAUNCH_ARGS, resolveChromium } from '../../src/browser/resolve-chromium.js';
import { waitVisible } from '../../src/console/wait-visible.js';

/**
 * `waitVisible`, the wait behind `ctx.find` and `ctx.shown`, in real Chromium against a
 * loopback page that draws its content after its own data request, as a console does.
 * It also looks as each of the page's requests finishes, so it listens to the page:
 * every way out of the wait must take that listener away, and a poll still in flight
 * when the wait is over must never surface as an unhandled rejection.
 */
test.describe.configure({ mode: 'serial' });

let browser: Browser;
let server: Server;
let origin: string;
const served: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

const DRAW_AFTER_FETCH = `<!doctype html><html><body><main id="app">Loading…</main>
<script>fetch('/data').then((r) => r.json()).then((d) => { const p = document.createElement('p'); p.id = 'drawn'; p.textContent = d.text; document.body.append(p); });</script></body></html>`;

test.beforeAll(async () => {
  browser = await chromium.launch({ executablePath: resolveChromium({ configured: process.env.SEATCTL_TEST_CHROMIUM }).path, args: LAUNCH_ARGS });
  server = createServer((req, res) => {
    served.push(req.url ?? '');
    if (req.url === '/data') {
      // A console's data call takes a while; the page draws when it is answered.
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: 'drawn from data' })), 300);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' }).end(req.url === '/draw' ? DRAW_AFTER_FETCH : '<!doctype html><p>nothing to wait for</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.on('unhandledRejection', onUnhandled);
});

test.afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function newPage(): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** Playwright's Page is an EventEmitter at run time; its typings leave `listenerCount` out. */
const listeners = (page: Page) => (page as unknown as { listenerCount(event: string): number }).listenerCount('requestfinished');

test('an element the page draws after its data request is seen, and the wait leaves no listener on the page', async () => {
  const page = await newPage();
  const before = listeners(page);
  const from = served.length;
  await page.goto(`${origin}/draw`);
  const waiting = waitVisible(page.locator('#drawn'), 10_000);
  // While it waits it listens for the page's finished requests (its early look).
  expect(listeners(page)).toBe(before + 1);
  expect(await waiting).toBe(true);
  await expect(page.locator('#drawn')).toHaveText('drawn from data');
  expect(served.slice(from).filter((u) => u !== '/favicon.ico')).toEqual(['/draw', '/data']);
  expect(listeners(page)).toBe(before);
  await page.context().close();
});

test('a wait that times out answers false, and one already aborted answers false without waiting; neither leaves a listener', async () => {
  const page = await newPage();
  await page.goto(`${origin}/never`);
  const before = listeners(page);
  expect(await waitVisible(page.locator('#drawn'), 300)).toBe(false);
  expect(listeners(page)).toBe(before);
  const aborted = new AbortController();
  aborted.abort();
  expect(await waitVisible(page.locator('#drawn'), 60_000, aborted.signal)).toBe(false);
  expect(listeners(page)).toBe(before);
  await page.context().close();
});

test('a page closed under the wait fails the wait with the closing error, not a timeout, and leaves no listener', async () => {
  const page = await newPage();
  await page.goto(`${origin}/never`);
  const before = listeners(page);
  const failed = expect(waitVisible(page.locator('#drawn'), 60_000)).rejects.toThrow(/closed/i);
  await page.context().close();
  await failed;
  expect(listeners(page)).toBe(before);
});

test('a page closed right after a wait succeeded: the poll still in flight ends without an unhandled rejection', async () => {
  unhandled.length = 0;
  for (let i = 0; i < 5; i++) {
    const page = await newPage();
    await page.goto(`${origin}/draw`);
    expect(await waitVisible(page.locator('#drawn'), 10_000)).toBe(true);
    await page.context().close();
  }
  // Longer than one poll slice (500 ms): anything left in flight has settled by now.
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(unhandled).toEqual([]);
});
