import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { launchFixtures } from '../../../fixtures/launch.js';
import { SeatctlError } from '../../errors/index.js';
import type { CliIO } from '../io.js';
import type { GlobalFlags } from '../context.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

export function parseCount(flag: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) > max) throw new SeatctlError('USAGE', `${flag}: expected a whole number from 0 to ${max}, got "${value}"`);
  return Number(value);
}

/** Starts the simulators and stays up until SIGINT/SIGTERM. */
export function registerFixtures(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  const fixtures = program.command('fixtures').description('local simulators of the supported apps');
  fixtures
    .command('up')
    .description('start every simulator on loopback and write a config that points at them')
    .option('--users <n>', 'generated people per app, on top of the named ones')
    .option('--seed <n>', 'seed for generated data and random faults')
    .option('--dir <dir>', 'folder for the generated config, secrets and data dir (default: a new temp folder)')
    .option('--hybrid', 'route Sigma over [sigma-api, sigma-ui] and Bill.com over [scim2, billcom-ui] (docs/hybrid-routing.md)')
    .action((opts: { users?: string; seed?: string; dir?: string; hybrid?: boolean }) =>
      run(async () => {
        const users = parseCount('--users', opts.users, 100_000);
        const seed = parseCount('--seed', opts.seed, 2 ** 31);
        const dir = opts.dir ? path.resolve(io.cwd, opts.dir) : await mkdtemp(path.join(os.tmpdir(), 'seatctl-fixtures-'));
        const launched = await launchFixtures({ dir, ...(users !== undefined ? { users } : {}), ...(seed !== undefined ? { seed } : {}), ...(opts.hybrid ? { hybrid: true } : {}) });
        const ready = { ready: true, config: launched.configPath, apps: launched.apps };
        if (globals().json) io.stdout(JSON.stringify(ready) + '\n');
        else {
          io.stdout(`simulators ready; config: ${launched.configPath}\n`);
          for (const [name, a] of Object.entries(launched.apps)) io.stdout(`  ${name.padEnd(8)} ${a.url}  (ground truth: ${a.stateUrl})\n`);
          io.stdout('Ctrl-C to stop.\n');
        }
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        await launched.close();
        return 0;
      }),
    );
}
