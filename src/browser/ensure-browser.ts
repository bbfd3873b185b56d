import { spawnSync } from 'node:child_process';
import { SeatctlError } from '../errors/index.js';
import { resolveChromium, type ResolvedChromium } from './resolve-chromium.js';

/**
 * For the two commands a new user types (`npx seatctl demo`, `npm test`): when no
 * Chromium is found and we may install packages (root, apt-get present), install
 * Debian's chromium (and xvfb, for headed replay tests) instead of failing.
 */
export function ensureChromium(options: { withXvfb?: boolean; log?: (line: string) => void } = {}): ResolvedChromium {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const packages: string[] = [];
  let resolved: ResolvedChromium | null = null;
  try {
    resolved = resolveChromium();
  } catch (err) {
    if (!(err instanceof SeatctlError) || process.env.SEATCTL_CHROMIUM) throw err;
    packages.push('chromium');
  }
  if (options.withXvfb && !onPath('xvfb-run')) packages.push('xvfb');
  if (!packages.length) return resolved!;
  const canInstall = process.getuid?.() === 0 && onPath('apt-get');
  if (!canInstall) {
    if (resolved) return resolved;
    return resolveChromium();
  }
  log(`seatctl: installing ${packages.join(' ')} with apt-get (needed for console flows)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const install = update.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { stdio: 'inherit', env }) : update;
  if (install.status !== 0) log(`seatctl: apt-get failed (exit ${install.status}); continuing with what is installed`);
  return resolved ?? resolveChromium();
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
