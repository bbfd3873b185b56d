import type { LaunchOptions } from '../fixtures/launch.js';

/**
 * The latency profile every benchmark runs against, so figures are comparable run to
 * run: API calls ~80 ms ±40 (a SaaS API across a region), console pages and their
 * JSON calls ~150 ms (a heavy admin SPA), as measured ranges of real consoles go.
 */
export const LATENCY_PROFILE: Pick<LaunchOptions, 'faults' | 'simulators'> = {
  faults: { latencyMs: 80, jitterMs: 40 },
  simulators: {
    stitch: { faults: { latencyMs: 80, jitterMs: 40 }, consoleFaults: { pageLatencyMs: 150 } },
    billcom: { faults: { latencyMs: 80, jitterMs: 40 }, consoleFaults: { pageLatencyMs: 150 } },
  },
};

const apiLatency = LATENCY_PROFILE.faults!;
/** Mean latency of one API request in the profile (jitter is added, 0..jitterMs). */
export const API_MS = apiLatency.latencyMs! + apiLatency.jitterMs! / 2;
export const PAGE_MS = LATENCY_PROFILE.simulators!.stitch!.consoleFaults?.pageLatencyMs ?? 0;
/**
 * Console floors, from the simulators' latency rules (each simulator's README.md).
 * Stitch's JSON API carries the HTTP faults and the page latency (`pageLatencyMs`: "every
 * page shell and every /api call"); its page shell only the page latency. A visit to
 * Team Members is the shell, then /api/me and /api/team in sequence.
 * Bill.com's HTTP faults are on every route (pages and app.js too) and its page latency on
 * the shell and /api/me: a visit is the shell, app.js, /api/me and the page's one data
 * call (/api/users for the list, /api/users/:id for a user), every later list page one
 * /api/users request.
 */
export const STITCH_VISIT_MS = PAGE_MS + 2 * (API_MS + PAGE_MS);
/** One Stitch JSON call made by the page (a mutation, the table's reload). */
export const STITCH_CALL_MS = API_MS + PAGE_MS;
export const BILLCOM_VISIT_MS = API_MS + PAGE_MS + API_MS + (API_MS + PAGE_MS) + API_MS;
/**
 * Bill.com's sign-in as the flow makes it (flows/billcom/login.ts) on the simulator's
 * rules: /login (shell, app.js), POST /api/session, /mfa (shell, app.js, GET
 * /api/session), the switch to the authenticator app and POST /api/mfa, then /home
 * (shell, app.js, /api/me; its to-dos are not waited for). One organization, as the
 * benchmarks seed it. Browser start is not counted.
 */
export const BILLCOM_SIGN_IN_MS =
  API_MS + PAGE_MS + API_MS + API_MS + (API_MS + PAGE_MS + API_MS + API_MS) + API_MS + API_MS + (API_MS + PAGE_MS + API_MS + (API_MS + PAGE_MS));
/** A Bill.com offboarding task's page loads and calls (bench/console-task.ts says which). */
export const BILLCOM_TASK_MS = 2 * BILLCOM_VISIT_MS + (BILLCOM_VISIT_MS + API_MS + BILLCOM_VISIT_MS);

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
