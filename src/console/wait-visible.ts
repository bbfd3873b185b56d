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
 *
 * A console page draws what we wait for right after one of its own requests finishes
 * (its data call, the answer to a click), so the wait also looks once as each of the
 * page's requests finishes, instead of up to a poll interval (100 ms) later. Measured on
 * a warm Bill.com offboarding (four page visits, a dialog and a save): see
 * docs/consoles.md.
 */
export async function waitVisible(locator: Locator, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const page = locator.page();
  let seen!: () => void;
  const early = new Promise<true>((resolve) => (seen = () => resolve(true)));
  const look = (): void => {
    locator.isVisible().then((visible) => visible && seen(), () => undefined);
  };
  page.on('requestfinished', look);
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return false;
      const polled = locator.waitFor({ state: 'visible', timeout: Math.min(SLICE_MS, left) }).then(
        () => true,
        (err: unknown) => {
          if (!isPlaywrightTimeout(err)) throw err;
          return false;
        },
      );
      // A slice that loses to an early look ends by itself, the locator being visible
      // (or fails with the page: the race has handled that rejection already).
      if (await Promise.race([polled, early])) return true;
    }
  } finally {
    page.off('requestfinished', look);
  }
}
