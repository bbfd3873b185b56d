import { test, expect } from '@playwright/test';
import { chromium } from 'playwright';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LAUNCH_ARGS } from '../../src/browser/resolve-chromium.js';
import { renderReviewHtml } from '../../src/review/review-output.js';
import { bigReview } from '../support/big-review.js';
import { scanTempDir } from '../support/scan-root.js';

/**
 * Issue "Evidence that tells the truth", item 6: the review HTML at real size (10,000
 * people × 4 apps) rendered in Chromium at 1280×800: one line per row, no cell cut,
 * wide tables scroll inside their wrapper, "missing" rows not in the default view.
 */
test('evidence #6: a 10,000 × 4 review stays readable at 1280×800', async () => {
  test.setTimeout(600_000);
  const review = bigReview(10_000);
  const html = renderReviewHtml(review);
  const bytes = Buffer.byteLength(html);
  console.log(`review.html: ${review.reconciliation!.rows.length} rows, ${(bytes / 1e6).toFixed(1)} MB`);
  expect(html).not.toMatch(/<script/i);
  expect(bytes).toBeLessThan(25_000_000);
  const file = path.join(scanTempDir('seatctl-review-layout-'), 'review.html');
  await writeFile(file, html);

  const browser = await chromium.launch({ executablePath: process.env.SEATCTL_TEST_CHROMIUM, args: LAUNCH_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`file://${file}`, { timeout: 500_000 });
    const missing = review.reconciliation!.rows.filter((r) => r.verdict === 'missing').length;
    expect(missing).toBeGreaterThan(1000);

    const measure = () =>
      page.evaluate(() => {
        const rows = [...document.querySelectorAll<HTMLElement>('tr.r, tr.orphan')];
        const shown = rows.filter((r) => r.getBoundingClientRect().height > 0);
        const tallest = Math.max(...shown.map((r) => r.getBoundingClientRect().height));
        const clipped = [...document.querySelectorAll<HTMLElement>('td, th')].filter((c) => c.scrollWidth > c.clientWidth).length;
        const wraps = [...document.querySelectorAll<HTMLElement>('.table-wrap')].map((w) => ({
          overflowX: getComputedStyle(w).overflowX,
          right: w.getBoundingClientRect().right,
          hasTable: w.firstElementChild?.tagName === 'TABLE',
        }));
        const bare = [...document.querySelectorAll('table')].filter((t) => !t.parentElement?.classList.contains('table-wrap')).map((t) => t.getBoundingClientRect().right);
        return { shown: shown.length, missingShown: shown.filter((r) => r.classList.contains('v-missing')).length, tallest, clipped, wraps, bare, pageWidth: document.documentElement.scrollWidth };
      });

    const first = await measure();
    console.log(JSON.stringify({ ...first, wraps: first.wraps.length }));
    expect(first.tallest).toBeLessThanOrEqual(40);
    expect(first.clipped).toBe(0);
    // Wide tables scroll sideways inside a wrapper that itself fits the viewport; the page never does.
    expect(first.wraps).toEqual([
      { overflowX: 'auto', right: expect.any(Number), hasTable: true },
      { overflowX: 'auto', right: expect.any(Number), hasTable: true },
    ]);
    for (const w of first.wraps) expect(w.right).toBeLessThanOrEqual(1280);
    for (const right of first.bare) expect(right).toBeLessThanOrEqual(1280);
    expect(first.pageWidth).toBeLessThanOrEqual(1280);
    // The default view: every account that exists, and no "missing" row among them.
    expect(first.missingShown).toBe(0);
    expect(first.shown).toBe(review.reconciliation!.rows.length - missing + review.reconciliation!.orphans.length);
    await page.screenshot({ path: test.info().outputPath('review-top.png') });
    await page.locator('#all').scrollIntoViewIfNeeded();
    await page.screenshot({ path: test.info().outputPath('review-all.png') });

    // One click (a CSS radio, no script) shows the missing rows too, as compact as the rest.
    await page.locator('label[for="v-missing"]').click();
    const onlyMissing = await measure();
    expect(onlyMissing.missingShown).toBe(missing);
    expect(onlyMissing.tallest).toBeLessThanOrEqual(40);
  } finally {
    await browser.close();
  }
});
