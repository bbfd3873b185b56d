import { test, expect } from '@playwright/test';
import { terminalSafe } from '../../src/cli/terminal-text.js';
import { startApiEnv, writeCliConfig, type ApiEnv } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';

/**
 * App data reaches the terminal: names and roles in progress, `jobs show`, errors and a
 * review CSV on stdout. Seeded here with the sequences an attacker would use: clear
 * screen, an OSC 8 hyperlink, an OSC 0 window title, a one-byte C1 CSI and a bidi
 * override; none may reach a terminal raw.
 */
const CLEAR = '\x1b[2J';
const OSC8 = '\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07';
const TITLE = '\x1b]0;pwned\x07';
const C1_CSI = '\u009b31m';
const RLO = '\u202e';
const HOSTILE_FIRST = `Eve${CLEAR}${OSC8}`;
const HOSTILE_LAST = `Mallory${TITLE}${C1_CSI}${RLO}gpj.exe`;
const OWN_PROGRESS_CONTROLS = /\x1b\[(?:2K|\d+A|J)/g;
const RAW = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The CLI in-process, its stdout a terminal or a pipe. */
const runAsTerminal = (args: string[], tty: boolean) => cli(args, {}, process.cwd(), { isTTY: tty });

test('security #3: terminalSafe shows every control and bidi character visibly, keeps newlines and tabs', () => {
  expect(terminalSafe(`a${CLEAR}b`)).toBe('a\\x1b[2Jb');
  expect(terminalSafe(TITLE)).toBe('\\x1b]0;pwned\\x07');
  expect(terminalSafe(C1_CSI)).toBe('\\x9b31m');
  expect(terminalSafe(`${RLO}txt`)).toBe('<U+202E>txt');
  expect(terminalSafe('spoof\roverwrite')).toBe('spoof\\x0doverwrite');
  expect(terminalSafe('csv,row\r\n')).toBe('csv,row\r\n');
  expect(terminalSafe('tab\there\n')).toBe('tab\there\n');
  expect(terminalSafe('Zoë Łukasz 山田')).toBe('Zoë Łukasz 山田');
});

test.describe('security #3: app data never reaches a terminal raw', () => {
  let env: ApiEnv;
  let configFile: string;
  test.beforeEach(async () => {
    env = await startApiEnv();
    configFile = writeCliConfig(env, { apps: ['bigid'], extra: { retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 } } });
    const res = await fetch(`${env.bigid.url}/__fixture/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'eve@example.com', name: `eve${TITLE}`, firstName: HOSTILE_FIRST, lastName: HOSTILE_LAST, role: 'Viewer' }),
    });
    expect(res.status).toBe(201);
  });
  test.afterEach(async () => env.close());

  test('offboard, jobs show and a review CSV on a terminal: no raw control characters on stdout or stderr', async () => {
    const off = await runAsTerminal(['offboard', 'eve@example.com', '--apps', 'bigid', '--yes', '--config', configFile, '--verbose'], true);
    expect(off.code, off.stderr).toBe(0);
    const state = (await (await fetch(env.bigid.stateUrl)).json()) as { users: { email: string; isEnabled: boolean; firstName: string }[] };
    // The change really happened, and the app keeps the data exactly as it was.
    const eve = state.users.find((u) => u.email === 'eve@example.com');
    expect(eve?.isEnabled).toBe(false);
    expect(eve?.firstName).toBe(HOSTILE_FIRST);

    const jobId = /job (job_\w+) (?:succeeded|failed)/.exec(off.stdout)?.[1];
    expect(jobId, off.stdout).toBeDefined();
    const show = await runAsTerminal(['jobs', 'show', jobId!, '--config', configFile], true);
    expect(show.code, show.stderr).toBe(0);
    const review = await runAsTerminal(['review', '--apps', 'bigid', '--include-inactive', '--format', 'csv', '--config', configFile], true);
    expect(review.code, review.stderr).toBe(0);
    // The hostile names are there, visibly: the test would pass vacuously if they were not printed.
    expect(review.stdout).toContain('Eve\\x1b[2J');
    expect(review.stdout).toContain('<U+202E>gpj.exe');
    for (const out of [off, show, review]) {
      // The progress display's own cursor movements are the only control sequences allowed.
      expect(out.stdout.replace(OWN_PROGRESS_CONTROLS, '')).not.toMatch(RAW);
      expect(out.stderr.replace(OWN_PROGRESS_CONTROLS, '')).not.toMatch(RAW);
    }
  });

  test('piped stdout (not a terminal) keeps the data byte-exact for programs', async () => {
    const review = await runAsTerminal(['review', '--apps', 'bigid', '--format', 'csv', '--config', configFile], false);
    expect(review.code, review.stderr).toBe(0);
    expect(review.stdout).toContain(HOSTILE_FIRST);
    expect(review.stderr).not.toMatch(RAW);
  });
});
