#!/usr/bin/env node
import { processIO } from '../cli/io.js';
import { terminalSafe } from '../cli/terminal-text.js';
import { runSeatctl } from './seatctl.js';

runSeatctl(process.argv.slice(2), processIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(terminalSafe(`seatctl: internal error: ${err instanceof Error ? err.message : String(err)}\n`));
    process.exitCode = 1;
  },
);
