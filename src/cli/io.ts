/** Where a command writes: injected so tests can run commands in-process and read both streams. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** stdout is a terminal: live progress lines. */
  isTTY: boolean;
  /**
   * stdin is a terminal, so a person can answer "Apply this plan?". Without one a change
   * needs --yes. Absent means no terminal (tests, scripts), the safe side.
   */
  stdinIsTTY?: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Raw writers for cursor movement only (progress redraws); app data never goes here. */
  control?: { stdout: (text: string) => void; stderr: (text: string) => void };
}

export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stdout.isTTY),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env: process.env,
    cwd: process.cwd(),
  };
}
