import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { SeatctlError } from '../../errors/index.js';
import { resolveChromium } from '../../browser/resolve-chromium.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { GlobalFlags } from '../context.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

/**
 * `seatctl test-driver <dir> --url URL`: runs a scaffolded driver's smoke test for a
 * driver folder anywhere on disk. In such a folder `npx playwright test` wants to
 * download a runner and a browser, and `import … from 'seatctl'` resolves to nothing.
 * Here the test runs on seatctl's own @playwright/test, with 'seatctl' and
 * '@playwright/test' resolved to the running seatctl's copies, and Chromium found the
 * way seatctl finds it (SEATCTL_CHROMIUM, Playwright's, Debian's).
 * Exit 0 the smoke test passed, 1 it failed, 2 usage (no folder, no smoke test, no URL).
 */
export function registerTestDriver(program: Command, io: CliIO, run: Runner, _globals: () => GlobalFlags): void {
  program
    .command('test-driver')
    .description("run a driver folder's smoke test (from seatctl new-driver) with seatctl's own runner and browser")
    .argument('<dir>', 'the driver folder (with smoke.spec.ts and playwright.config.ts)')
    .option('--url <url>', 'the app base URL to test against (default: SEATCTL_SMOKE_URL)')
    .option('--email <email>', 'also look this person up, read-only (default: SEATCTL_SMOKE_EMAIL)')
    .action((dirArg: string, opts: { url?: string; email?: string }) => run(() => testDriver(io, dirArg, opts)));
}

async function testDriver(io: CliIO, dirArg: string, opts: { url?: string; email?: string }): Promise<number> {
  const dir = path.resolve(io.cwd, dirArg);
  for (const file of ['smoke.spec.ts', 'playwright.config.ts']) {
    if (!existsSync(path.join(dir, file))) throw new SeatctlError('USAGE', `<dir> argument: ${path.join(dir, file)} is missing (scaffold one with seatctl new-driver)`, { details: { field: 'dir' } });
  }
  const url = opts.url ?? io.env.SEATCTL_SMOKE_URL;
  // Without a URL the smoke test skips itself, and a skipped test must not read as a pass.
  if (!url) throw new SeatctlError('USAGE', '--url: the app base URL is required (or set SEATCTL_SMOKE_URL)', { details: { field: '--url' } });
  const require = createRequire(import.meta.url);
  const playwrightDir = path.dirname(require.resolve('@playwright/test/package.json'));
  // The ESM entry: the smoke test and its config are ES modules (the scaffold says "type": "module").
  const playwrightTest = path.join(playwrightDir, 'index.mjs');
  const runnerCli = path.join(playwrightDir, 'cli.js');
  const self = fileURLToPath(import.meta.url);
  // dist/src/index.js when built, src/index.ts under a TypeScript runner.
  const seatctlEntry = pathToFileURL(path.join(path.dirname(self), '..', '..', `index${path.extname(self)}`)).href;
  const hook = `export async function resolve(specifier, context, next) {
  if (specifier === 'seatctl') return next(${JSON.stringify(seatctlEntry)}, context);
  if (specifier === '@playwright/test') return next(${JSON.stringify(pathToFileURL(playwrightTest).href)}, context);
  return next(specifier, context);
}`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
  // An API driver needs no browser: a missing one is the console runtime's error to report.
  let chromium: string | undefined;
  try {
    chromium = resolveChromium({ env: io.env }).path;
  } catch {
    chromium = undefined;
  }
  const env: NodeJS.ProcessEnv = {
    ...io.env,
    SEATCTL_SMOKE_URL: url,
    ...(opts.email ? { SEATCTL_SMOKE_EMAIL: opts.email } : {}),
    ...(chromium ? { SEATCTL_CHROMIUM: chromium } : {}),
    // Carried into the runner's worker processes too.
    NODE_OPTIONS: `${io.env.NODE_OPTIONS ?? ''} --import=data:text/javascript,${encodeURIComponent(register)}`.trim(),
  };
  io.stderr(`running ${path.join(dir, 'smoke.spec.ts')} against ${url}\n`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [runnerCli, 'test', '-c', dir, '--reporter', 'list'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => io.stderr(d.toString()));
    child.stderr.on('data', (d: Buffer) => io.stderr(d.toString()));
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  return code === 0 ? EXIT.OK : EXIT.TASK_FAILED;
}
