import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { launchFixtures } from '../../../fixtures/launch.js';
import type { CliIO } from '../io.js';
import { ensureChromium } from '../../browser/ensure-browser.js';
import type { GlobalFlags } from '../context.js';
import { runJobCommand } from './run-job-command.js';
import { evidenceDirs } from '../render-job.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

/**
 * The main job on the built-in simulators: offboard jdoe@example.com from every
 * simulated app through the queue, print the results and where the evidence is.
 */
export function registerDemo(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('demo')
    .description('start the simulators and offboard jdoe@example.com from every app')
    .option('--dir <dir>', 'folder for the demo config, secrets and evidence (default: a new temp folder)')
    .action((opts: { dir?: string }) =>
      run(async () => {
        const dir = opts.dir ? path.resolve(io.cwd, opts.dir) : await mkdtemp(path.join(os.tmpdir(), 'seatctl-demo-'));
        const flags = globals();
        // The demo is a new user's first command: fetch Debian's Chromium if it is missing.
        ensureChromium({ log: (line) => io.stderr(`${line}\n`) });
        if (!flags.json) io.stdout(`starting simulators in ${dir} …\n`);
        const launched = await launchFixtures({ dir });
        try {
          if (!flags.json) io.stdout(`offboarding jdoe@example.com from ${Object.keys(launched.apps).join(', ')}\n`);
          // No question: the demo changes only the simulators it has just started in its
          // own folder, and a first-time user (or CI, with no terminal) runs it unattended.
          let dirs: { app: string; dir: string }[] = [];
          const code = await runJobCommand(io, { ...flags, yes: true, config: launched.configPath }, { kind: 'offboard', email: 'jdoe@example.com', apps: 'all' }, (stored, dataDir) => {
            dirs = evidenceDirs(stored.job, dataDir);
          });
          if (!flags.json) {
            io.stdout('evidence of each task (screenshots and traces for the consoles, request records for the APIs):\n');
            for (const d of dirs) io.stdout(`  ${d.app.padEnd(10)} ${d.dir}\n`);
          }
          return code;
        } finally {
          await launched.close();
        }
      }),
    );
}
