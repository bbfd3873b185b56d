import { runCli } from '../cli/program.js';
import type { CliIO } from '../cli/io.js';
import { builtInDrivers } from './built-in-drivers.js';
import { registerServe } from './serve-command.js';
import { registerWorker } from './worker-command.js';

/**
 * The whole `seatctl` command: the CLI's own commands plus `serve`, which puts the
 * HTTP service, the web console and sign-in together. It is registered here, at the
 * composition root, so the CLI and the service never import each other; so is the
 * driver registry the CLI loads configs with (the CLI does not import this folder).
 */
export function runSeatctl(argv: string[], io: CliIO): Promise<number> {
  return runCli(argv, io, { drivers: builtInDrivers(), commands: [registerServe, registerWorker] });
}
