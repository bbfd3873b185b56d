import { Command, CommanderError } from 'commander';
import { isUsageError, toSeatctlError } from '../errors/index.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';
import type { GlobalFlags } from './context.js';
import type { DriverRegistry } from '../drivers/definition.js';
import { registerJobCommands } from './commands/job-commands.js';
import { registerReview } from './commands/review.js';
import { registerFixtures } from './commands/fixtures-up.js';
import { registerDemo } from './commands/demo.js';
import { registerDoctor } from './commands/doctor.js';
import { registerReplay } from './commands/replay.js';
import { registerJobs } from './commands/jobs.js';
import { registerNewDriver } from './commands/new-driver.js';
import { terminalSafeIO } from './terminal-text.js';
import { packageVersion } from './version.js';
import { registerTestDriver } from './commands/test-driver.js';

/** Adds a command to the tree; commands from above the CLI (the service's `serve`) come in this way. */
export type CommandRegistrar = (program: Command, io: CliIO, run: (fn: () => Promise<number>) => Promise<void>, globals: () => GlobalFlags) => void;

/** What the composition root hands the CLI: the driver kinds, and commands from above the CLI. */
export interface CliWiring {
  drivers: DriverRegistry;
  commands?: readonly CommandRegistrar[];
}

/**
 * Builds the command tree. Exit codes: 0 all tasks fine, 1 a task failed, 2 the user
 * typed something wrong (bad flag, bad config) — so scripts can tell them apart.
 */
export async function runCli(argv: string[], rawIO: CliIO, wiring: CliWiring): Promise<number> {
  const io = terminalSafeIO(rawIO);
  let exitCode: number = EXIT.OK;
  const program = new Command('seatctl')
    .description('SaaS user lifecycle: offboard, provision, change roles, review access — by API or by console')
    .option('--config <file>', 'config file (default ./seatctl.config.json, or SEATCTL_CONFIG)')
    .option('--json', 'print one JSON document on stdout; logs go to stderr')
    .option('--verbose', 'log progress to stderr')
    .version(packageVersion(), '--version', 'print the seatctl version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) })
    .showHelpAfterError('(run seatctl --help for usage)');

  const globals = (): GlobalFlags => ({ ...program.opts<Omit<GlobalFlags, 'drivers'>>(), drivers: wiring.drivers });
  const run = async (fn: () => Promise<number>): Promise<void> => {
    try {
      exitCode = await fn();
    } catch (err) {
      const error = toSeatctlError(err);
      const usage = isUsageError(err);
      if (globals().json) io.stdout(JSON.stringify({ error: { code: error.code, message: error.message } }) + '\n');
      io.stderr(`seatctl: ${error.message}\n`);
      exitCode = usage ? EXIT.USAGE : EXIT.TASK_FAILED;
    }
  };

  registerJobCommands(program, io, run, globals);
  registerReview(program, io, run, globals);
  registerFixtures(program, io, run, globals);
  registerDemo(program, io, run, globals);
  registerDoctor(program, io, run, globals);
  registerReplay(program, io, run, globals);
  registerJobs(program, io, run, globals);
  registerNewDriver(program, io, run, globals);
  registerTestDriver(program, io, run, globals);
  for (const register of wiring.commands ?? []) register(program, io, run, globals);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with code 0.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    throw err;
  }
  return exitCode;
}
