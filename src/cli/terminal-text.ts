import type { CliIO } from './io.js';

/**
 * Names, roles and messages printed by the CLI come from the apps, and an app's data is
 * not ours: a name holding `ESC [2J`, an OSC 8 link or an OSC 0 title would be obeyed by
 * the terminal. Every control character except newline, tab and the CR of a CRLF (C0, DEL, C1 — `\x9b` is
 * a one-byte CSI on some terminals) is shown as `\xNN`, and the bidi controls that
 * reorder what a reader sees (U+202E and friends) as `<U+202E>`.
 */
const UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}

/**
 * The streams every command writes to. stderr is for people (messages, log lines), so it
 * is always made safe. stdout is made safe when it is a terminal; piped or redirected it
 * stays byte-exact, because there it is data (`--json`, `review --format csv`) for a
 * program, and nothing interprets it. The progress display's own cursor movements go
 * through `control`, the only raw path, which never carries app data.
 */
export function terminalSafeIO(io: CliIO): CliIO {
  return {
    ...io,
    stdout: io.isTTY ? (t) => io.stdout(terminalSafe(t)) : io.stdout,
    stderr: (t) => io.stderr(terminalSafe(t)),
    control: { stdout: io.stdout, stderr: io.stderr },
  };
}
