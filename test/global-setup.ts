import { ensureChromium } from '../src/browser/ensure-browser.js';

/**
 * `npm test` must work on a fresh Debian machine: find Chromium (and xvfb for the
 * headed-replay test) and install them with apt-get when missing and possible.
 */
export default function globalSetup(): void {
  const chromium = ensureChromium({ withXvfb: true });
  process.env.SEATCTL_TEST_CHROMIUM = chromium.path;
}
