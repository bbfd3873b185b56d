import { test, expect } from '@playwright/test';
import type { BrowserContext } from 'playwright';
import { createBrowserPool } from '../../src/browser/browser-pool.js';
import { resolveChromium } from '../../src/browser/resolve-chromium.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';

/**
 * Issue 16, browser recycling under load: the recycle rule must fire while contexts
 * are open (under steady load there is never a moment with none), the retired browser
 * must finish the pages it has, and it must really exit once its last context closes.
 * Ground truth is the operating system's process table, not the pool's counters.
 */
const log = createLogger({ redactor: createRedactor(), level: 'fatal', destination: { write: () => undefined } });
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const page = async (context: BrowserContext, text: string): Promise<string> => {
  const p = context.pages()[0] ?? (await context.newPage());
  await p.setContent(`<p id="t">${text}</p>`);
  return p.locator('#t').innerText();
};

test('recycling drains: under steady load (never zero contexts open) new contexts go to a fresh browser and the old one exits after its last context', async () => {
  const pool = createBrowserPool({ executablePath: resolveChromium({}).path, headless: true, recycleAfterContexts: 3, log });
  try {
    // A sliding window of two open contexts: each new one opens before the oldest closes.
    const pids: (number | undefined)[] = [];
    const window: BrowserContext[] = [];
    let held: BrowserContext | undefined;
    for (let i = 0; i < 10; i += 1) {
      const c = await pool.newContext();
      pids.push(pool.pid());
      if (i === 1) held = c; // kept open across the first recycle
      else window.push(c);
      expect(await page(c, `task ${i}`)).toBe(`task ${i}`);
      if (window.length > 2) await window.shift()!.close();
      expect(pool.stats.open).toBeGreaterThan(0);
    }
    const distinct = [...new Set(pids)];
    expect(distinct.length, `browser pids per context: ${pids.join(',')}`).toBeGreaterThanOrEqual(3);
    expect(pool.stats.recycles).toBeGreaterThanOrEqual(2);
    const first = distinct[0]!;
    // The first browser still serves the context it had when it was retired.
    expect(alive(first)).toBe(true);
    expect(await page(held!, 'still working after the recycle')).toBe('still working after the recycle');
    const drainingBefore = pool.stats.draining;
    expect(drainingBefore).toBeGreaterThanOrEqual(1);
    await held!.close();
    await expect.poll(() => alive(first), { timeout: 10_000 }).toBe(false);
    expect(pool.stats.draining).toBe(drainingBefore - 1);
    // Once every task is done, every retired browser is gone; only the current one runs.
    for (const c of window) await c.close();
    expect(pool.stats.draining).toBe(0);
    for (const pid of distinct.slice(0, -1)) await expect.poll(() => alive(pid!), { timeout: 10_000 }).toBe(false);
    expect(alive(distinct.at(-1)!)).toBe(true);
  } finally {
    await pool.close();
  }
});

test('recycling by memory: a browser above recycleAboveMb is replaced at the next check (every 10 contexts); its memory is measured from the OS', async () => {
  const pool = createBrowserPool({ executablePath: resolveChromium({}).path, headless: true, recycleAfterContexts: 10_000, recycleAboveMb: 1, log });
  try {
    const first = await pool.newContext();
    const firstPid = pool.pid();
    const rss = await pool.rssMb();
    expect(rss, 'resident memory of the browser processes').toBeGreaterThan(10);
    for (let i = 1; i < 10; i += 1) await (await pool.newContext()).close();
    expect(pool.pid()).toBe(firstPid);
    const eleventh = await pool.newContext();
    expect(pool.pid()).not.toBe(firstPid);
    expect(pool.stats.recycles).toBe(1);
    expect(await page(eleventh, 'fresh')).toBe('fresh');
    await first.close();
    await expect.poll(() => alive(firstPid!), { timeout: 10_000 }).toBe(false);
  } finally {
    await pool.close();
  }
});
