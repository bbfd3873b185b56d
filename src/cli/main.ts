#!/usr/bin/env node
import { processIO } from './io.js';
import { runCli } from './program.js';
import { terminalSafe } from './terminal-text.js';

runCli(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(terminalSafe(`seatctl: internal error: ${err instanceof Error ? err.message : String(err)}\n`));
    process.exitCode = 1;
  },
);
