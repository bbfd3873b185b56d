import { accessSync, constants } from 'node:fs';
import { chromium } from 'playwright';
import { SeatctlError } from '../errors/index.js';

/**
 * Which Chromium to launch, in design.md's order: SEATCTL_CHROMIUM, Playwright's own
 * download where one exists, Debian's binary (the real one, not the /usr/bin shell
 * wrapper, which swallows flags and signals), then a clear failure.
 */
export const DEBIAN_CHROMIUM = '/usr/lib/chromium/chromium';

export const LAUNCH_ARGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  // Shared memory is small in containers; Chromium crashes tabs without this.
  '--disable-dev-shm-usage',
];

const executable = (file: string): boolean => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export interface ResolvedChromium {
  path: string;
  source: 'SEATCTL_CHROMIUM' | 'config' | 'playwright' | 'debian';
}

export function resolveChromium(options: { configured?: string | undefined; env?: NodeJS.ProcessEnv } = {}): ResolvedChromium {
  const env = options.env ?? process.env;
  const fromEnv = env.SEATCTL_CHROMIUM;
  if (fromEnv) {
    if (!executable(fromEnv)) throw new SeatctlError('BROWSER_NOT_FOUND', `SEATCTL_CHROMIUM=${fromEnv} is not an executable file`);
    return { path: fromEnv, source: 'SEATCTL_CHROMIUM' };
  }
  if (options.configured) {
    if (!executable(options.configured)) throw new SeatctlError('BROWSER_NOT_FOUND', `browser.executablePath ${options.configured} is not an executable file`);
    return { path: options.configured, source: 'config' };
  }
  let bundled: string | undefined;
  try {
    bundled = chromium.executablePath();
  } catch {
    bundled = undefined;
  }
  if (bundled && executable(bundled)) return { path: bundled, source: 'playwright' };
  if (executable(DEBIAN_CHROMIUM)) return { path: DEBIAN_CHROMIUM, source: 'debian' };
  throw new SeatctlError(
    'BROWSER_NOT_FOUND',
    'no Chromium found for console flows. Install one: on Debian/Ubuntu `sudo apt-get install chromium` ' +
      '(used from /usr/lib/chromium/chromium), or `npx playwright install chromium` where downloads work, ' +
      'or point SEATCTL_CHROMIUM at a Chromium binary.',
  );
}
