import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Everything tests leave behind (data dirs, evidence, traces, reports, captured logs
 * and CLI output) goes under one root, which `test/secret-scan.final.ts` scans for
 * secrets after the whole suite. Nothing under it is deleted by the tests: Playwright
 * clears `test-results/` at the start of the next run.
 */
export const DEFAULT_SCAN_ROOT = fileURLToPath(new URL('../../test-results/scan-root', import.meta.url));

export function scanRoot(): string {
  const root = path.resolve(process.env.SEATCTL_SCAN_ROOT ?? DEFAULT_SCAN_ROOT);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  return root;
}

/** A new owner-only folder under the scan root (instead of `mkdtemp(os.tmpdir()…)`). */
export function scanTempDir(prefix: string): string {
  return mkdtempSync(path.join(scanRoot(), prefix));
}

/** Where `registerSecret` appends: one JSON line per secret. The scan never reports it. */
export const SECRETS_FILE = 'secrets.txt';

/**
 * Adds a value the final scan must not find anywhere under the root (a token a
 * simulator issued, a password a test chose). Append-only, one JSON line each, so
 * parallel workers can register at once.
 */
export function registerSecret(value: string, name = 'registered secret'): void {
  if (!value || value.length < 6) return;
  appendFileSync(path.join(scanRoot(), SECRETS_FILE), JSON.stringify({ name, value }) + '\n', { mode: 0o600 });
}

/** Log lines a test captured in memory, kept as a file so the scan reads them too. */
export function saveCapturedLogs(dir: string, lines: readonly string[], name = 'captured.log'): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(dir, name), lines.join(lines.length && !lines[0]!.endsWith('\n') ? '\n' : ''), { mode: 0o600, flag: 'a' });
  } catch {
    // The scan then has less to read; a test must not fail over its leftovers.
  }
}

/** One CLI run's output (in-process or a child), appended to a per-worker file under the root. */
export function saveCliOutput(kind: 'cli' | 'cli-process' | 'serve', args: readonly string[], stdout: string, stderr: string): void {
  try {
    const dir = path.join(scanRoot(), 'cli-output');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const head = `=== ${kind} ${JSON.stringify(args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)))}\n`;
    appendFileSync(path.join(dir, `${kind}-${process.pid}.log`), `${head}--- stdout\n${stdout}\n--- stderr\n${stderr}\n`, { mode: 0o600 });
  } catch {
    // as above
  }
}
