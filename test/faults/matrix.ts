import type { FaultInjector } from '../../fixtures/common/faults.js';
import type { ConsoleFaults, ConsoleLayout } from '../../fixtures/common/console-faults.js';
import type { ErrorCode } from '../../src/errors/index.js';

/**
 * The fault matrix (issue 7): every fault a simulator can inject, which drivers it
 * applies to, how it is injected on that driver's simulator, and the terminal state
 * the task must reach. `api-faults.spec.ts` and `console-faults.browser.spec.ts` turn
 * each (fault × driver × action) into one test; `run-case.ts` runs it through the real
 * engine and checks the simulator's ground truth; `print-matrix.ts` prints the table.
 *
 * Short form (inside `npm test`): the cases marked `short`, with small counts.
 * `SEATCTL_FAULTS=full` (what `npm run test:faults` sets): every case, long storms.
 */
export type DriverName = 'bigid' | 'sigma' | 'stitch' | 'billcom';
export const API_DRIVERS = ['bigid', 'sigma'] as const satisfies readonly DriverName[];
export const CONSOLE_DRIVERS = ['stitch', 'billcom'] as const satisfies readonly DriverName[];
const ALL = [...API_DRIVERS, ...CONSOLE_DRIVERS] as const;

export type Action = 'offboard' | 'set-role';
export type Mode = 'short' | 'full';
export const faultMode = (): Mode => (process.env.SEATCTL_FAULTS === 'full' ? 'full' : 'short');

/** Inclusive. */
export type Range = readonly [min: number, max: number];

/** The known person every case acts on, and the role set-role moves them to. */
export const SUBJECT = 'jdoe@example.com';
export const NEW_ROLE: Record<DriverName, string> = { bigid: 'Viewer', sigma: 'Viewer', stitch: 'Administrator', billcom: 'Clerk' };

/** The engine's retry policy in every case: production logic, test-sized delays. */
export const RETRY = { attempts: 4, baseDelayMs: 5, maxDelayMs: 50, throttleDelayMs: 10, maxThrottleWaits: 25 } as const;
/** Per-request timeout of the API apps (the "slow response" faults hold a response past it). */
export const API_TIMEOUT_MS = 3_000;
/**
 * How long a "slow" fault holds a request. undici checks its header/body timeouts on a
 * coarse clock (about 0.5 s ticks), so a timeout fires up to ~1 s late: 2 s past it is
 * past for sure, and still before the read-back (which waits one more timeout).
 */
export const PAST_TIMEOUT_MS = API_TIMEOUT_MS + 2_000;
/**
 * How long a console control may take to appear in the cases that are about that wait
 * (the slow table, layout v2): short, so a drifted locator fails the case quickly.
 */
export const LOCATOR_TIMEOUT_MS = 5_000;
/**
 * The wait in every other console case: the product's default. A case about a lost
 * session or a modal must not fail because a loaded CI machine drew a page in 6 s (seen:
 * session-expiry-mid-job × stitch timed out on the table after its re-login at load 10).
 */
export const RELAXED_LOCATOR_TIMEOUT_MS = 15_000;

export interface Sizes {
  /** 429s in a row that the task must ride out (below maxThrottleWaits). */
  storm: number;
  /** 5xx answers in a row (below the attempt cap). */
  burst: number;
}
export const SIZES: Record<Mode, Sizes> = {
  short: { storm: 5, burst: 2 },
  full: { storm: 20, burst: RETRY.attempts - 1 },
};
/** A storm longer than the throttle cap: the task must give up, having changed nothing. */
export const OVER_CAP = RETRY.maxThrottleWaits + 5;

export interface Endpoint {
  method: string;
  pathPrefix: string;
}

/** Where a driver's simulator is hit: the read behind find/read-back, each action's one mutation, every app route. */
export interface DriverTargets {
  read: Endpoint;
  change: Record<Action, Endpoint>;
  /** Path prefix of every app (non-fixture) route. */
  all: string;
}

export const TARGETS: Record<DriverName, DriverTargets> = {
  bigid: {
    read: { method: 'GET', pathPrefix: '/api/v1/users' },
    change: { offboard: { method: 'PUT', pathPrefix: '/api/v1/users/' }, 'set-role': { method: 'PUT', pathPrefix: '/api/v1/users/' } },
    all: '/api/v1/',
  },
  sigma: {
    read: { method: 'GET', pathPrefix: '/v2/members' },
    change: { offboard: { method: 'DELETE', pathPrefix: '/v2/members/' }, 'set-role': { method: 'PATCH', pathPrefix: '/v2/members/' } },
    all: '/v2/',
  },
  // The consoles' private JSON APIs (what the SPA calls when the flow clicks).
  stitch: {
    read: { method: 'GET', pathPrefix: '/api/team' },
    change: { offboard: { method: 'POST', pathPrefix: '/api/team/' }, 'set-role': { method: 'PATCH', pathPrefix: '/api/team/' } },
    all: '/api/',
  },
  billcom: {
    read: { method: 'GET', pathPrefix: '/api/users' },
    change: { offboard: { method: 'POST', pathPrefix: '/api/users/' }, 'set-role': { method: 'PATCH', pathPrefix: '/api/users/' } },
    all: '/api/',
  },
};

/** What a fault may touch on one driver's simulator and engine; `run-case.ts` provides it. */
export interface FaultHarness {
  driver: DriverName;
  action: Action;
  mode: Mode;
  size: Sizes;
  /** The simulator's HTTP fault injector (API routes; the consoles' JSON API). */
  http: FaultInjector;
  targets: DriverTargets;
  /** Ends every token / console session now. */
  expireSessions(): void;
  console?: ConsoleHarness;
}

export interface ConsoleHarness {
  /** Live: a change takes effect on the next request. */
  faults: ConsoleFaults;
  setLayout(layout: ConsoleLayout): void;
  /** The first time the driver drops its session, turn this fault off (it re-arms after every expiry). */
  disarmOnFirstDrop(field: 'sessionExpiryAfterRequests'): void;
  /** Call at the end of the plan: pages get slow, so the change is still loading when the browser dies. */
  armCrash(): void;
  /** Waits for the change's own browser context, then SIGKILLs Chromium. */
  crashWhenChangeStarts(job: JobSignals): Promise<void>;
}

export interface JobSignals {
  planned: Promise<void>;
  done: Promise<void>;
}

/** One acceptable terminal state. */
export interface Expected {
  outcome: 'changed' | 'failed';
  /** Required when failed. */
  code?: ErrorCode;
  /** Exactly this many mutations in the simulator's log, each the action's intended one on the subject. */
  mutations: number;
  /** Attempt-spending retries (scheduler stats). */
  retries?: Range;
  /** 429 waits (do not spend attempts). */
  throttled?: Range;
  /** True: the change was confirmed by reading back after a lost response. */
  readBack?: boolean;
  /** Sign-ins (tokens issued / console logins) during the case. */
  logins?: Range;
  /** A failure must name this locator (layout drift). 'any': some locator, named in the message. */
  locator?: string;
  /** Browser crashes the pool saw. */
  crashes?: Range;
}

export type Family = 'session' | 'throttle' | '5xx' | 'reset' | 'timeout' | 'popup' | 'slow-table' | 'crash' | 'drift';

export interface FaultCase {
  name: string;
  family: Family;
  /** One line for the docs and the table's legend. */
  description: string;
  drivers: readonly DriverName[];
  /** Default ['offboard']. */
  actions?: readonly Action[];
  /** In the short run: true, or only for these drivers. */
  short: boolean | readonly DriverName[];
  /** Simulator options at start. */
  start?: { consoleFaults?: Partial<ConsoleFaults>; layout?: ConsoleLayout };
  /** Console drivers' locator timeout; RELAXED_LOCATOR_TIMEOUT_MS unless the case is about that wait. */
  locatorTimeoutMs?: number;
  /** Before the job starts. */
  before?(h: FaultHarness): void;
  /** Synchronously between the plan (reads) and the change. */
  afterPlan?(h: FaultHarness): void;
  /** Runs alongside the job. */
  during?(h: FaultHarness, job: JobSignals): Promise<void>;
  /** One acceptable terminal state, or alternatives (any one). */
  expect(h: FaultHarness): Expected | Expected[];
}

const changed = (extra: Partial<Expected> = {}): Expected => ({ outcome: 'changed', mutations: 1, ...extra });
const failed = (code: ErrorCode, extra: Partial<Expected> = {}): Expected => ({ outcome: 'failed', code, mutations: 0, ...extra });
const exactly = (n: number): Range => [n, n];

/** HTTP faults, injected with the common kit on the API simulators. */
const apiCases: FaultCase[] = [
  {
    name: 'token-expiry-mid-job',
    family: 'session',
    description: 'every token is revoked between the plan and the change; the next call gets 401',
    drivers: API_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    afterPlan: (h) => h.expireSessions(),
    // Both drivers sign in again inside the call on a 401 and repeat it once: no attempt spent.
    expect: () => changed({ retries: exactly(0), logins: exactly(2) }),
  },
  {
    name: '429-storm-retry-after',
    family: 'throttle',
    description: '429 with Retry-After (10 ms) on the next N user calls (N = 5 short, 20 full)',
    drivers: API_DRIVERS,
    short: true,
    before: (h) => h.http.enqueue({ kind: '429', pathPrefix: h.targets.read.pathPrefix, retryAfterSeconds: 0.01, times: h.size.storm }),
    expect: (h) => changed({ retries: exactly(0), throttled: exactly(h.size.storm) }),
  },
  {
    name: '429-storm-no-retry-after',
    family: 'throttle',
    description: '429 without Retry-After (as Sigma sends them) on the next N user calls: the throttle backoff applies',
    drivers: API_DRIVERS,
    short: true,
    before: (h) => h.http.enqueue({ kind: '429', pathPrefix: h.targets.read.pathPrefix, retryAfterSeconds: null, times: h.size.storm }),
    expect: (h) => changed({ retries: exactly(0), throttled: exactly(h.size.storm) }),
  },
  {
    name: '429-storm-over-cap',
    family: 'throttle',
    description: `429 on the change, ${OVER_CAP} in a row (more than maxThrottleWaits ${RETRY.maxThrottleWaits}): the task gives up`,
    drivers: API_DRIVERS,
    short: true,
    before: (h) => h.http.enqueue({ kind: '429', ...h.targets.change[h.action], retryAfterSeconds: 0, times: OVER_CAP }),
    // A 429 is a refusal before acting: nothing applied, and no read-back needed.
    expect: () => failed('RATE_LIMITED', { retries: exactly(0), throttled: exactly(RETRY.maxThrottleWaits) }),
  },
  {
    name: '5xx-burst-on-read',
    family: '5xx',
    description: 'a burst of 5xx (502, 503, then 500) on the find',
    drivers: API_DRIVERS,
    short: true,
    before: (h) => enqueueBurst(h, h.targets.read),
    expect: (h) => changed({ retries: exactly(h.size.burst), readBack: false }),
  },
  {
    name: '5xx-burst-on-change',
    family: '5xx',
    description: 'a burst of 5xx on the mutation itself: each retry reads back first, the change is sent until it lands once',
    drivers: API_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    before: (h) => enqueueBurst(h, h.targets.change[h.action]),
    expect: (h) => changed({ retries: exactly(h.size.burst), readBack: false }),
  },
  {
    name: '5xx-persistent',
    family: '5xx',
    description: '500 on every call, sign-in included: the attempts run out during the plan',
    drivers: API_DRIVERS,
    short: true,
    before: (h) => h.http.enqueue({ kind: '500', pathPrefix: h.targets.all, times: 1000 }),
    expect: () => failed('UPSTREAM_UNAVAILABLE', { retries: exactly(RETRY.attempts - 1) }),
  },
  {
    name: '5xx-persistent-on-change',
    family: '5xx',
    description: '503 on every attempt of the mutation: read back between attempts, give up after the cap, nothing applied',
    drivers: API_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: '503', ...h.targets.change[h.action], times: 1000 }),
    expect: () => failed('UPSTREAM_UNAVAILABLE', { retries: exactly(RETRY.attempts - 1) }),
  },
  {
    name: 'reset-before-commit',
    family: 'reset',
    description: 'the connection is reset on the mutation before the app acts',
    drivers: API_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    before: (h) => h.http.enqueue({ kind: 'reset', ...h.targets.change[h.action] }),
    expect: () => changed({ retries: exactly(1), readBack: false }),
  },
  {
    name: 'reset-on-read',
    family: 'reset',
    description: 'the connection is reset on two reads in a row',
    drivers: API_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: 'reset', ...h.targets.read, times: 2 }),
    expect: () => changed({ retries: exactly(2), readBack: false }),
  },
  {
    name: 'reset-after-commit',
    family: 'reset',
    description: 'the app applies the mutation, then the connection is reset: the response is lost',
    drivers: API_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    before: (h) => h.http.enqueue({ kind: 'reset-after-commit', ...h.targets.change[h.action] }),
    expect: () => changed({ retries: exactly(1), readBack: true }),
  },
  {
    name: 'slow-read-past-timeout',
    family: 'timeout',
    description: `one read answers after ${PAST_TIMEOUT_MS} ms, past the ${API_TIMEOUT_MS} ms timeout`,
    drivers: API_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: 'delay', ...h.targets.read, delayMs: PAST_TIMEOUT_MS }),
    expect: () => changed({ retries: exactly(1), readBack: false }),
  },
  {
    name: 'slow-after-commit',
    family: 'timeout',
    description: 'the app applies the mutation, then holds the response past the timeout',
    drivers: API_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    before: (h) => h.http.enqueue({ kind: 'delay-after-commit', ...h.targets.change[h.action], delayMs: PAST_TIMEOUT_MS }),
    expect: () => changed({ retries: exactly(1), readBack: true }),
  },
  {
    name: 'slow-before-commit',
    family: 'timeout',
    description: 'the app holds the mutation past the timeout, then applies it anyway: the driver waits one more timeout before reading back, so it sees the late change and does not resend it',
    drivers: API_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: 'delay', ...h.targets.change[h.action], delayMs: PAST_TIMEOUT_MS }),
    expect: () => changed({ retries: exactly(1), readBack: true }),
  },
  {
    name: 'slow-everything',
    family: 'timeout',
    description: `every call answers after ${PAST_TIMEOUT_MS} ms: timeouts exhaust the attempts during the plan`,
    drivers: API_DRIVERS,
    short: false,
    before: (h) => void h.http.configure({ latencyMs: PAST_TIMEOUT_MS }),
    expect: () => failed('TIMEOUT', { retries: exactly(RETRY.attempts - 1) }),
  },
];

/** Faults of the consoles themselves (fixtures/common/console-faults.ts), plus the browser dying. */
const consoleCases: FaultCase[] = [
  {
    name: 'session-expiry-mid-job',
    family: 'session',
    description: 'every console session is dropped between the plan and the change: redirect to sign-in, log in again',
    drivers: CONSOLE_DRIVERS,
    actions: ['offboard', 'set-role'],
    short: true,
    afterPlan: (h) => h.expireSessions(),
    expect: () => changed({ retries: [0, 1], logins: exactly(2) }),
  },
  {
    name: 'session-expiry-on-confirm',
    family: 'session',
    description: 'the session dies on the confirm click itself (sessionExpiryAfterRequests 6): the change is not applied, retried after login',
    drivers: CONSOLE_DRIVERS,
    short: false,
    start: { consoleFaults: { sessionExpiryAfterRequests: 6 } },
    before: (h) => h.console!.disarmOnFirstDrop('sessionExpiryAfterRequests'),
    expect: () => changed({ retries: exactly(1), logins: exactly(2), readBack: false }),
  },
  {
    name: 'session-expiry-after-change',
    family: 'session',
    description: 'the session dies right after the change was applied (sessionExpiryAfterRequests 8): read back, not repeated',
    drivers: CONSOLE_DRIVERS,
    short: false,
    start: { consoleFaults: { sessionExpiryAfterRequests: 8 } },
    before: (h) => h.console!.disarmOnFirstDrop('sessionExpiryAfterRequests'),
    expect: () => changed({ retries: exactly(1), logins: exactly(2), readBack: true }),
  },
  {
    name: 'surprise-modal',
    family: 'popup',
    description: '"What\'s new" modal on every signed-in page, landing mid-flow',
    drivers: CONSOLE_DRIVERS,
    short: true,
    start: { consoleFaults: { whatsNewModalRate: 1 } },
    expect: () => changed({ retries: exactly(0) }),
  },
  {
    name: 'cookie-banner',
    family: 'popup',
    description: 'a cookie banner with a full-page backdrop until "Accept all"',
    drivers: CONSOLE_DRIVERS,
    short: true,
    start: { consoleFaults: { cookieBanner: true } },
    expect: () => changed({ retries: exactly(0) }),
  },
  {
    name: 'slow-table',
    family: 'slow-table',
    description: `the users table loads after ${LOCATOR_TIMEOUT_MS * 0.4} ms (spinner up, within the locator timeout)`,
    locatorTimeoutMs: LOCATOR_TIMEOUT_MS,
    drivers: CONSOLE_DRIVERS,
    short: true,
    start: { consoleFaults: { slowTableMs: LOCATOR_TIMEOUT_MS * 0.4 } },
    expect: () => changed({ retries: exactly(0) }),
  },
  {
    name: 'slow-table-past-timeout',
    family: 'slow-table',
    description: `the users table takes ${LOCATOR_TIMEOUT_MS * 1.4} ms, past the ${LOCATOR_TIMEOUT_MS} ms locator timeout, every time`,
    locatorTimeoutMs: LOCATOR_TIMEOUT_MS,
    drivers: CONSOLE_DRIVERS,
    short: false,
    start: { consoleFaults: { slowTableMs: LOCATOR_TIMEOUT_MS * 1.4 } },
    expect: () => failed('TIMEOUT', { retries: exactly(RETRY.attempts - 1) }),
  },
  {
    name: 'browser-crash',
    family: 'crash',
    description: 'Chromium is SIGKILLed while the change\'s page is loading',
    drivers: CONSOLE_DRIVERS,
    short: true,
    afterPlan: (h) => h.console!.armCrash(),
    during: (h, job) => h.console!.crashWhenChangeStarts(job),
    // Recovered (relaunch, read back, change once) or failed cleanly: never twice.
    expect: () => [changed({ crashes: exactly(1), retries: [1, 2] }), failed('BROWSER_CRASHED', { crashes: exactly(1) })],
  },
  {
    name: 'layout-v2',
    family: 'drift',
    description: 'the console is redesigned (layout v2): a clean failure naming the locator, nothing clicked',
    locatorTimeoutMs: LOCATOR_TIMEOUT_MS,
    drivers: CONSOLE_DRIVERS,
    short: true,
    start: { layout: 'v2' },
    // Stitch: the members table is now "People", so the plan's find fails. Bill.com: the
    // table kept its name (the plan works), the trash can is now "Remove user".
    expect: (h) => failed('LOCATOR_NOT_FOUND', { retries: exactly(0), locator: h.driver === 'stitch' ? 'membersTable' : 'deactivateButton' }),
  },
  {
    name: 'layout-v2-after-plan',
    family: 'drift',
    description: 'the redesign lands between the plan and the change',
    locatorTimeoutMs: LOCATOR_TIMEOUT_MS,
    drivers: CONSOLE_DRIVERS,
    short: false,
    afterPlan: (h) => h.console!.setLayout('v2'),
    expect: () => failed('LOCATOR_NOT_FOUND', { retries: exactly(0), locator: 'any' }),
  },
  {
    name: 'console-api-5xx-on-change',
    family: '5xx',
    description: "503 from the console's own API on the confirm: the page shows an error, the flow retries after a read-back",
    drivers: CONSOLE_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: '503', ...h.targets.change[h.action] }),
    // Both consoles say "Something went wrong on our end" for server trouble: retried
    // after a read-back, never taken for a refusal.
    expect: () => changed({ retries: exactly(1), readBack: false }),
  },
  {
    name: 'console-api-reset-after-commit',
    family: 'reset',
    description: "the console's API applies the deactivation, then the connection is reset: the page shows a network error",
    drivers: CONSOLE_DRIVERS,
    short: false,
    before: (h) => h.http.enqueue({ kind: 'reset-after-commit', ...h.targets.change[h.action] }),
    // Chromium re-sends a POST whose reused connection was reset, so the page may show
    // "already inactive" / "no longer exists" instead of a network error: either way the
    // account is read back before the task is reported, and the change counts once.
    expect: () => changed({ retries: [0, 1], readBack: true }),
  },
];

function enqueueBurst(h: FaultHarness, at: Endpoint): void {
  // Different 5xx codes in one burst: the retry class follows the status family, not one code.
  const kinds = (['502', '503', '500'] as const).slice(0, h.size.burst);
  for (const kind of kinds) h.http.enqueue({ kind, ...at });
}

export const FAULT_CASES: readonly FaultCase[] = [...apiCases, ...consoleCases];

/** The (fault × driver × action) combinations to run in this mode, for some drivers. */
export function combinations(drivers: readonly DriverName[], mode: Mode = faultMode()): { fault: FaultCase; driver: DriverName; action: Action }[] {
  const out: { fault: FaultCase; driver: DriverName; action: Action }[] = [];
  for (const fault of FAULT_CASES) {
    for (const driver of fault.drivers) {
      if (!drivers.includes(driver)) continue;
      if (mode === 'short' && !(fault.short === true || (Array.isArray(fault.short) && fault.short.includes(driver)))) continue;
      // set-role variants are the cheap extra: full run only.
      for (const action of fault.actions ?? ['offboard']) if (action === 'offboard' || mode === 'full') out.push({ fault, driver, action });
    }
  }
  return out;
}

/** "changed·1" / "failed:RATE_LIMITED·0", alternatives joined with " | ". */
export function describeExpected(expected: Expected | Expected[]): string {
  const one = (e: Expected) => `${e.outcome}${e.code ? `:${e.code}` : ''}·${e.mutations}`;
  return (Array.isArray(expected) ? expected : [expected]).map(one).join(' | ');
}

export { ALL as ALL_DRIVERS };
