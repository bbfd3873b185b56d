import type { Locator } from 'playwright';
import { isPlaywrightTimeout } from './locator-timeout.js';

/**
 * Playwright polls a wait at 0, 20, 50, 100, 100 ms and then every 500 ms, but leaves
 * out every step longer than a fifth of the wait's own timeout (playwright-core
 * `retryWithProgressAndBackoff`, 1.65). With a 15 s locator timeout a control that
 * appears 300 ms in is seen up to half a second later; on a console page that is most
 * of a page load (measured: Stitch's team table drawn at ~0.75 s, seen at ~1.05 s).
 * Waiting in slices of 500 ms keeps every poll ≤100 ms apart for the whole wait.
 */
const SLICE_MS = 500;

/**
 * True once `locator` is visible, false when `timeoutMs` passed first or `signal` was
 * aborted; other errors are thrown. The slices are also what makes the wait stoppable: a
 * Playwright wait cannot be cancelled, so after an abort at most the slice in flight
 * (≤ 500 ms) still polls the page.
 */
export async function waitVisible(locator: Locator, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return false;
    try {
      await locator.waitFor({ state: 'visible', timeout: Math.min(SLICE_MS, left) });
      return true;
    } catch (err) {
      if (!isPlaywrightTimeout(err)) throw err;
    }
  }
}
