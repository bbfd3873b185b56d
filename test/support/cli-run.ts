import { spawn } from 'node:child_process';
import { runSeatctl } from '../../src/composition/seatctl.js';
import { saveCliOutput } from './scan-root.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured streams: fast, and the same code path as bin. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}, cwd = process.cwd(), options: { isTTY?: boolean } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runSeatctl(args, {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    isTTY: options.isTTY ?? false,
    env: { ...process.env, ...env },
    cwd,
  });
  // Kept for the final secret scan (test/secret-scan.final.ts).
  saveCliOutput('cli', args, stdout, stderr);
  return { code, stdout, stderr };
}

export const CLI_BIN = new URL('../../dist/src/composition/main.js', import.meta.url).pathname;

/** Runs the built CLI as a separate process, as a user would; `input` makes stdin a pipe that sends it. */
export function cliProcess(args: string[], env: NodeJS.ProcessEnv = {}, options: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { env: { ...process.env, ...env }, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      saveCliOutput('cli-process', args, stdout, stderr);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
