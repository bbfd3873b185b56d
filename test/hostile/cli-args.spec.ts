import { test, expect } from '@playwright/test';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { cli } from '../support/cli-run.js';
import { startApiEnv, type ApiEnv } from '../support/api-env.js';
import { scanTempDir } from '../support/scan-root.js';
import { STORE_FILE_NAME } from '../../src/store/index.js';
import { fcOptions, hostileString, logCases, PAYLOADS, STACK_LINE } from './hostile-input.js';

/**
 * Generated command lines through the real CLI (in-process `runCli`): real subcommands
 * and their real flags (read from `--help`), random values with control characters,
 * bidi overrides, huge strings, `--` tricks and unknown flags. Whatever comes in, the
 * exit code is 0, 1 or 2, nothing escapes as an exception or a stack trace, a usage
 * error names what was wrong, and a refused command stores no job.
 */
test.describe.configure({ mode: 'serial' });

let env: ApiEnv;
let root: string;
let configFile: string;
let dataDir: string;
let cwd: string;

interface CommandSpec {
  path: string[];
  options: string[];
  /** Commands that would start servers, browsers or write files if they ran: always given an unknown flag. */
  blocked: boolean;
}
let commands: CommandSpec[] = [];

/** Commands and flags as the real program lists them in --help. */
async function discover(prefix: string[]): Promise<CommandSpec[]> {
  const help = (await cli([...prefix, '--help'])).stdout;
  const options = [...help.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((o) => o !== '--help');
  const subs = help.includes('\nCommands:\n')
    ? [...help.split('\nCommands:\n')[1]!.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help')
    : [];
  const out: CommandSpec[] = [];
  if (prefix.length) out.push({ path: prefix, options, blocked: BLOCKED.some((b) => b.join(' ') === prefix.join(' ')) });
  for (const sub of subs) out.push(...(await discover([...prefix, sub])));
  return out;
}

/** They succeed by running until a signal (serve, fixtures up), launching a browser (demo) or writing a folder (new-driver). */
const BLOCKED = [['serve'], ['fixtures', 'up'], ['demo'], ['new-driver'], ['fixtures']];

function jobCount(): number {
  const file = path.join(dataDir, STORE_FILE_NAME);
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test.beforeAll(async () => {
  env = await startApiEnv();
  root = scanTempDir('seatctl-hostile-cli-');
  mkdirSync(path.join(root, 'config'));
  dataDir = path.join(root, 'config', 'data');
  configFile = path.join(root, 'config', 'seatctl.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: 'data',
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20, throttleDelayMs: 10, maxThrottleWaits: 2 },
      apps: {
        bigid: { driver: 'bigid-api', baseUrl: `${env.bigid.url}/api/v1`, credentials: { username: env.bigid.credentials.username, password: `file:${path.join(env.dir, 'bigid-password')}` } },
        sigma: { driver: 'sigma-api', baseUrl: `${env.sigma.url}/v2`, credentials: { clientId: env.sigma.credentials.clientId, clientSecret: `file:${path.join(env.dir, 'sigma-secret')}` } },
      },
    }),
  );
  // Deep, so a relative value such as ../../x (a generated --out) still lands inside this test's folder.
  cwd = path.join(root, 'cwd', 'a', 'b', 'c', 'd');
  mkdirSync(cwd, { recursive: true });
  writeFileSync(path.join(cwd, 'roster.csv'), 'email,name,status\njdoe@example.com,John Doe,terminated\nasmith@example.com,Alice Smith,active\n');
  writeFileSync(
    path.join(cwd, 'hostile-roster.csv'),
    '\ufeffemail,name,status,manager\r\n"jdoе@example.com","<script>alert(1)</script>",active,=cmd|\' /C calc\'!A0\r\nasmith@example.com,"\u202eevil",active,"x\ny"\r\n',
  );
  commands = await discover([]);
});
test.afterAll(async () => env?.close());

test('the program lists the commands the generator draws from', () => {
  const names = commands.map((c) => c.path.join(' '));
  expect(names).toEqual(expect.arrayContaining(['offboard', 'provision', 'set-role', 'review', 'doctor', 'replay', 'serve', 'jobs list', 'jobs approve', 'fixtures up', 'new-driver']));
  expect(commands.find((c) => c.path.join(' ') === 'offboard')!.options).toEqual(expect.arrayContaining(['--apps', '--mode', '--dry-run', '--yes']));
});

/** Values a flag or argument might get: plausible ones (so commands get past parsing), and hostile ones. */
const PLAUSIBLE = [
  'jdoe@example.com', 'asmith@example.com', 'nobody@example.com', 'jdoе@example.com', 'JDOE@EXAMPLE.COM', 'x@y', '@', 'a@b@c.d',
  'bigid', 'sigma', 'all', 'bigid,sigma', 'bigid,slack', ',', 'BigID', 'bigid=Viewer', 'sigma=Explorer', 'bigid=', '=Viewer', 'bigid=Viewer,bigid=Admin',
  '__proto__=x', 'constructor=Admin', 'email=Work Email', 'csv', 'json', 'html', 'xml', 'deactivate', 'delete', 'shred',
  '0', '-1', '1e9', '99999999999999999999', 'NaN', '', ' ', 'job_20260101000000_deadbeef', 'job_nope', 'a'.repeat(64), 'http://127.0.0.1:1', 'env:NOPE', 'file:/nonexistent',
  'review.csv', 'out.html', 'missing-roster.csv', '.', '..',
];

const value = (forPath: boolean): fc.Arbitrary<string> => {
  const v = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...PLAUSIBLE) }, { weight: 2, arbitrary: hostileString(24) });
  // Values that name a file to write (--out) never carry a directory part: the generator must not write outside its folder.
  return forPath ? v.map((s) => s.replace(/[/\\]/g, '_')) : v;
};

type Case = { command: CommandSpec | null; unknown: string; tokens: string[]; configMode: 'flag' | 'env' | 'none' | 'missing'; json: boolean };

/** Mostly well-formed command lines with one or two hostile slots, so cases get past parsing into the commands. */
function shapedArb(): fc.Arbitrary<Case> {
  const slot = (...plausible: string[]) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...plausible) }, { weight: 1, arbitrary: hostileString(20) });
  const email = slot('jdoe@example.com', 'asmith@example.com', 'nobody@example.com', 'jdoе@example.com', 'Samlsam@Example.com');
  const apps = slot('bigid', 'sigma', 'all', 'bigid,sigma');
  const role = slot('bigid=Viewer', 'sigma=Explorer', 'bigid=Auditor,sigma=Viewer', 'sigma=Nope');
  const flags = (...f: string[]) => fc.subarray(f);
  const by = (name: string) => commands.find((c) => c.path.join(' ') === name)!;
  const shapes: fc.Arbitrary<[string, string[]]>[] = [
    fc.tuple(email, apps, flags('--dry-run', '--yes'), slot('deactivate', 'delete')).map(([e, a, f, m]) => ['offboard', [e, '--apps', a, ...f, '--mode', m]]),
    fc.tuple(email, role, flags('--dry-run')).map(([e, r, f]) => ['set-role', [e, '--role', r, ...f]]),
    fc.tuple(email, slot('Kim', 'Ann-Marie'), slot('Lee', "O'Brien"), role, flags('--dry-run')).map(([e, fn, ln, r, f]) => ['provision', ['--email', e, '--first-name', fn, '--last-name', ln, '--role', r, ...f]]),
    fc.tuple(apps, slot('csv', 'json', 'html'), slot('roster.csv', 'hostile-roster.csv', 'missing.csv'), flags('--include-inactive')).map(([a, fmt, r, f]) => ['review', ['--apps', a, '--format', fmt, '--roster', r, ...f]]),
    fc.tuple(apps, slot('csv', 'json', 'html')).map(([a, fmt]) => ['review', ['--apps', a, '--format', fmt]]),
    fc.tuple(apps, slot('review.csv', 'out.html', 'r.json', 'x.txt')).map(([a, out]) => ['review', ['--apps', a, '--out', out.replace(/[/\\]/g, '_')]]),
    fc.tuple(slot('succeeded', 'failed', 'running'), slot('1', '50', '500')).map(([st, l]) => ['jobs list', ['--status', st, '--limit', l]]),
    slot('job_20260101000000_deadbeef', 'job_nope').map((id) => ['jobs show', [id]]),
    apps.map((a) => ['doctor', ['--apps', a]]),
  ];
  return fc.record({
    shaped: fc.oneof(...shapes),
    configMode: fc.constantFrom('flag', 'flag', 'env', 'missing'),
    json: fc.boolean(),
  }).map(({ shaped: [name, tokens], configMode, json }) => ({ command: by(name), unknown: '', tokens, configMode, json }) as Case);
}

function caseArb(): fc.Arbitrary<Case> {
  const command = fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...commands) }, { weight: 1, arbitrary: fc.constant(null) });
  return command.chain((cmd) => {
    const opts = cmd?.options ?? ['--config', '--json', '--verbose'];
    const flag = fc.constantFrom(...opts, '--config', '--json', '--verbose');
    const token = fc.oneof(
      { weight: 4, arbitrary: fc.tuple(flag, value(false), fc.boolean()).map(([f, v, joined]) => (joined ? [`${f}=${v}`] : [f, v])) },
      { weight: 2, arbitrary: fc.tuple(fc.constantFrom('--out', '--dir'), value(true)).map(([f, v]) => (cmd?.options.includes(f) ? [f, v] : [v])) },
      { weight: 2, arbitrary: flag.map((f) => [f]) },
      { weight: 3, arbitrary: value(false).map((v) => [v]) },
      { weight: 1, arbitrary: fc.constantFrom(['--'], ['-'], ['---'], ['--=x'], ['-x'], ['--no-json'], ['--apps', '--'], ['--', '--json'], ['-h']) },
      { weight: 1, arbitrary: hostileString(16).map((s) => [`--${s}`]) },
    );
    return fc.record({
      command: fc.constant(cmd),
      unknown: fc.oneof(fc.constantFrom(...PAYLOADS), hostileString(12)).map((s) => s.replace(/^-+/, '') || 'x'),
      tokens: fc.array(token, { maxLength: 7 }).map((ts) => ts.flat()),
      configMode: fc.constantFrom('flag', 'env', 'none', 'missing'),
      json: fc.boolean(),
    });
  });
}

/** The words a usage message may name: every flag and argument given, the command, and the request fields. */
function namesFor(argv: string[]): string[] {
  const fields = ['email', 'name', 'jobId', 'id', 'firstName', 'lastName', 'roles', 'teams', 'apps', 'people', 'mode', 'kind', 'config', 'roster', 'argument', 'command', 'option'];
  return [...argv.flatMap((a) => (a.startsWith('--') ? [a.split('=')[0]!, a] : [a])).filter((a) => a.trim().length >= 2).map((a) => a.slice(0, 60)), ...fields];
}

test('generated command lines: exit 0/1/2, no stack trace, usage errors name the input, refused commands store nothing', async () => {
  test.setTimeout(300_000);
  let ran = 0;
  const codes = { 0: 0, 1: 0, 2: 0 } as Record<number, number>;
  // Relative paths are the command's cwd's business: nothing may land in the process's own.
  const processCwdBefore = new Set(readdirSync(process.cwd()));
  const outs = new Set<string>();
  await fc.assert(
    fc.asyncProperty(fc.oneof(caseArb(), shapedArb()), async (c) => {
      ran += 1;
      const argv: string[] = [];
      if (c.json) argv.push('--json');
      if (c.configMode === 'flag') argv.push('--config', configFile);
      if (c.configMode === 'missing') argv.push('--config', path.join(root, 'nonexistent.json'));
      if (c.command) argv.push(...c.command.path);
      else argv.push(c.unknown);
      // A command that would start a server or a browser gets a flag it does not know: only its parsing is exercised.
      if (c.command?.blocked) argv.push('--not-a-real-flag');
      argv.push(...c.tokens);
      c.tokens.forEach((t, i) => {
        if (t === '--out' && c.tokens[i + 1] !== undefined) outs.add(c.tokens[i + 1]!);
        if (t.startsWith('--out=')) outs.add(t.slice(6));
      });
      const envVars: NodeJS.ProcessEnv = { SEATCTL_CONFIG: c.configMode === 'env' ? configFile : undefined, SEATCTL_TOKEN: undefined, DISPLAY: undefined };
      const before = jobCount();
      let result;
      try {
        result = await cli(argv, envVars, cwd);
      } catch (err) {
        throw new Error(`runCli threw for ${JSON.stringify(argv).slice(0, 500)}: ${(err as Error).stack}`);
      }
      codes[result.code] = (codes[result.code] ?? 0) + 1;
      const shown = JSON.stringify(argv).slice(0, 400);
      expect([0, 1, 2], `exit ${result.code} for ${shown}\n${result.stderr.slice(0, 800)}`).toContain(result.code);
      expect(STACK_LINE.test(result.stderr) || result.stderr.includes('    at '), `stack trace in stderr for ${shown}:\n${result.stderr.slice(0, 1500)}`).toBe(false);
      expect(STACK_LINE.test(result.stdout), `stack trace in stdout for ${shown}`).toBe(false);
      if (result.code === 2) {
        const names = namesFor(argv);
        expect(names.some((n) => result.stderr.includes(n)), `usage error names nothing from ${shown}:\n${result.stderr.slice(0, 800)}`).toBe(true);
        expect(jobCount(), `a refused command stored a job: ${shown}`).toBe(before);
      }
    }),
    fcOptions(140),
  );
  const strays = readdirSync(process.cwd()).filter((f) => !processCwdBefore.has(f) && outs.has(f));
  expect(strays, 'a command wrote into the process cwd instead of its own').toEqual([]);
  expect(readdirSync(cwd).length, 'no --out file was ever written where it should be').toBeGreaterThan(2);
  logCases('cli-args.spec.ts', 'command lines', ran);
  console.log(`[hostile] cli-args exit codes: ${JSON.stringify(codes)}`);
  // The generator must reach past parsing sometimes, or it only tests commander.
  expect(codes[2]).toBeGreaterThan(10);
  expect((codes[0] ?? 0) + (codes[1] ?? 0)).toBeGreaterThan(5);
});
