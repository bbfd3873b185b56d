import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { CLI_BIN } from './cli-run.js';
import { registerSecret, saveCliOutput } from './scan-root.js';

/**
 * The built `seatctl serve` as a real child process (the way an operator or a
 * supervisor runs it), for tests that kill or signal it. Its stderr is kept so tests
 * can wait for a log line and scan the output for secrets.
 */
export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Exit code (null when killed by a signal), resolved once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves with the first stderr line matching the pattern (already written or to come). */
  waitForStderr(pattern: RegExp): Promise<string>;
}

/** `token` null: no --token-ref, the config alone says who may call (principals, OIDC). */
export async function serveProcess(configPath: string, token: string | null, args: string[] = []): Promise<ServeProcess> {
  if (token !== null) registerSecret(token, 'service bearer token');
  const tokenArgs = token === null ? [] : ['--token-ref', 'env:SEATCTL_TEST_TOKEN'];
  const child = spawn(process.execPath, [CLI_BIN, 'serve', '--port', '0', ...tokenArgs, '--config', configPath, ...args], {
    env: { ...process.env, ...(token === null ? {} : { SEATCTL_TEST_TOKEN: token }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const stderrLines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr += line + '\n';
    stderrLines.push(line);
    for (const w of [...waiters]) {
      if (w.pattern.test(line)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  // 'close' (not 'exit'): by then every line the process wrote has been read.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  // Kept for the final secret scan (test/secret-scan.final.ts).
  void exited.then(() => saveCliOutput('serve', args, stdout, stderr));
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      stdout += line + '\n';
      resolve(line);
    });
    void exited.then((code) => reject(new Error(`serve exited ${code} before listening:\n${stderr}`)));
  });
  return {
    child,
    url: (JSON.parse(first) as { listening: string }).listening,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitForStderr(pattern) {
      const seen = stderrLines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(() => setImmediate(() => reject(new Error(`serve exited without logging ${pattern}:\n${stderr}`))));
      });
    },
  };
}

/** A JSON call to the service with the bearer token. */
export async function serviceCall(url: string, token: string, method: string, p: string, body?: unknown): Promise<any> {
  const res = await fetch(url + p, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return (await res.json()) as any;
}

/**
 * One request on a new TCP connection (no keep-alive pool), so the answer says what a
 * new client gets: a status, or the connection error code (ECONNREFUSED, …).
 */
export function freshRequest(url: string, token: string, method: string, p: string, body?: unknown): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url + p, { method, agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    req.end(payload);
  });
}

export const kill9 = (child: ChildProcess): Promise<void> =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

/** A simulator's mutation log (its ground truth of what was changed). */
export async function simulatorMutations(stateUrl: string): Promise<{ userId: string; method: string }[]> {
  return ((await (await fetch(stateUrl)).json()) as { mutations: { userId: string; method: string }[] }).mutations;
}
