import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright';
import { DEFAULT_PAGE_CAP as BIGID_PAGE_CAP } from '../fixtures/bigid/index.js';
import { FIXTURE_APPS, type FixtureApp, type LaunchOptions } from '../fixtures/launch.js';
import { totpCode } from '../src/console/helpers/totp.js';
import type { Runtime } from '../src/engine/runtime.js';
import { collectReview } from '../src/review/review-rows.js';
import { benchEnv, type BenchEnv } from './harness.js';
import { API_MS, BILLCOM_VISIT_MS as BILLCOM_FIRST_MS, LATENCY_PROFILE, median, PAGE_MS, seconds, STITCH_VISIT_MS } from './profile.js';

/**
 * An access review of four apps with 10,000 users each, inactive users included.
 * seatctl: `collectReview` over the four apps at once, each at its best speed (BigID
 *          reads 4 offset pages at a time, Sigma 1000 a page, Stitch the page's own
 *          team answer, Bill.com one page evaluation per page, 4 tabs each stepping
 *          through a range), cold and then warm (see seatctlRun).
 * naive:   the apps one after another, as a hand-written script reads them: the API's
 *          default page size (50 for both APIs) one page at a time, and in the
 *          consoles one `locator.nth(i).innerText()` per cell, clicking through
 *          Bill.com's pages. Reading 40,000 cells that way takes many minutes, so by
 *          default the naive console reads are sampled and extrapolated, and the output
 *          says so (BENCH_NAIVE_FULL=1 reads everything).
 * Both sides get fresh simulators with the same seed and the latency profile.
 */
export interface BenchResult {
  name: string;
  seatctlMs: number;
  naiveMs: number;
}

const USERS = Number(process.env.BENCH_REVIEW_USERS ?? 10_000);
const SEED = 42;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FULL = process.env.BENCH_NAIVE_FULL === '1';
/** Naive Stitch: rows read cell by cell before extrapolating. */
const STITCH_SAMPLE_ROWS = Number(process.env.BENCH_NAIVE_STITCH_ROWS ?? 100);
/** Naive Bill.com: pages read cell by cell before extrapolating. */
const BILLCOM_SAMPLE_PAGES = Number(process.env.BENCH_NAIVE_BILLCOM_PAGES ?? 12);
/** Page reads in flight: BigID offset pages; Bill.com tabs, each reading a range of pages. */
const CONCURRENCY = { bigid: 4, billcom: 4 };
const BILLCOM_PAGE = 25;


function options(): Omit<LaunchOptions, 'dir' | 'apps'> {
  // The same seed for all four (launch's common `seed` would shift it per app).
  const simulators = Object.fromEntries(FIXTURE_APPS.map((app) => [app, { ...LATENCY_PROFILE.simulators?.[app], seed: SEED, users: USERS }]));
  // Laying out a 10,000-row Stitch table takes Chromium 5–20 s on a loaded 2-core box:
  // more than the default 15 s locator timeout.
  return {
    faults: LATENCY_PROFILE.faults,
    simulators,
    appConfig: { bigid: { concurrency: CONCURRENCY.bigid }, billcom: { concurrency: CONCURRENCY.billcom }, stitch: { options: { locatorTimeoutMs: 120_000 } } },
  };
}

async function truthCount(env: BenchEnv, app: FixtureApp): Promise<number> {
  const state = (await (await fetch(env.fixtures.apps[app]!.stateUrl)).json()) as { users: { status?: string }[] };
  // Stitch drops deactivated members from the console: not listable, not counted.
  return state.users.filter((u) => !(app === 'stitch' && u.status === 'Deactivated')).length;
}

interface AppTiming {
  ms: number;
  users: number;
  /** Requests (API) or table pages (consoles) the listing needed. */
  pages: number;
  /** Naive console only: measured on a sample and scaled to all pages/rows. */
  extrapolated?: string;
}

/**
 * The same review on one engine: cold once (Chromium starts, every app signs in inside
 * the timed run), then warm ROUNDS times (signed in, as a running service is), each
 * app's median of those. The floor excludes sign-in and browser start, so warm is the
 * figure measured against it; one warm run alone is within its own jitter of the floor
 * (a Stitch listing is three requests of 80–120 ms plus 150 ms each).
 */
async function seatctlRun(): Promise<{ cold: Record<FixtureApp, AppTiming>; warm: Record<FixtureApp, AppTiming> }> {
  const env = await benchEnv([...FIXTURE_APPS], options());
  const { runtime } = env.engine();
  try {
    const cold = await seatctlReview(env, runtime);
    const runs: Record<FixtureApp, AppTiming>[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push(await seatctlReview(env, runtime));
    const warm = Object.fromEntries(FIXTURE_APPS.map((app) => [app, { ...runs[0]![app], ms: median(runs.map((r) => r[app].ms)) }])) as Record<FixtureApp, AppTiming>;
    return { cold, warm };
  } finally {
    await runtime.close();
    await env.close();
  }
}

async function seatctlReview(env: BenchEnv, runtime: Runtime): Promise<Record<FixtureApp, AppTiming>> {
  {
    const done = new Map<string, number>();
    const started = performance.now();
    const review = await collectReview(runtime, [...FIXTURE_APPS], true, {
      onProgress: (app, read, total) => {
        if (read === total) done.set(app, performance.now() - started);
      },
    });
    const out = {} as Record<FixtureApp, AppTiming>;
    for (const app of FIXTURE_APPS) {
      const result = review.apps.find((a) => a.app === app);
      const expected = await truthCount(env, app);
      if (!result?.complete || result.count !== expected) throw new Error(`seatctl ${app}: listed ${result?.count} of ${expected} (${result?.error?.message ?? 'complete'})`);
      const users = result.count;
      const pages = app === 'bigid' ? Math.ceil(users / BIGID_PAGE_CAP) : app === 'sigma' ? Math.ceil(users / 1000) : app === 'stitch' ? 1 : Math.ceil(users / BILLCOM_PAGE);
      out[app] = { ms: done.get(app) ?? performance.now() - started, users, pages };
    }
    return out;
  }
}

// ---- the naive baseline ----------------------------------------------------

async function naiveBigId(env: BenchEnv): Promise<AppTiming> {
  const sim = env.fixtures.bigid!;
  const started = performance.now();
  const login = await fetch(`${sim.url}/api/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sim.credentials) });
  const { auth_token: token } = (await login.json()) as { auth_token: string };
  let users = 0;
  let pages = 0;
  for (let skip = 0; ; ) {
    // No `limit`: the API's default page (50, or less where the server caps it: the
    // next page starts after what came back, not 50 further).
    const res = await fetch(`${sim.url}/api/v1/users?skip=${skip}`, { headers: { authorization: token } });
    if (!res.ok) throw new Error(`naive bigid: ${res.status}`);
    const body = (await res.json()) as { users: unknown[]; totalCount: number };
    pages += 1;
    users += body.users.length;
    skip += body.users.length;
    if (body.users.length === 0 || skip >= body.totalCount) break;
  }
  return { ms: performance.now() - started, users, pages };
}

async function naiveSigma(env: BenchEnv): Promise<AppTiming> {
  const sim = env.fixtures.sigma!;
  const started = performance.now();
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: sim.credentials.clientId, client_secret: sim.credentials.clientSecret });
  const tokenRes = await fetch(`${sim.url}/v2/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  let users = 0;
  let pages = 0;
  let cursor: string | null = null;
  const seen = new Set<string>();
  do {
    // No `limit`: Sigma's default page of 50. The cursor goes back in `page`, as
    // Sigma's List Members reference says (a wrong name is ignored, so the first page
    // would come back forever: hence the repeat check).
    const url: string = `${sim.url}/v2/members?includeArchived=true${cursor ? `&page=${encodeURIComponent(cursor)}` : ''}`;
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`naive sigma: ${res.status}`);
    const body = (await res.json()) as { entries: unknown[]; nextPage: string | null };
    pages += 1;
    users += body.entries.length;
    cursor = body.nextPage;
    if (cursor && seen.has(cursor)) throw new Error(`naive sigma: nextPage ${cursor.slice(0, 20)}… came back twice`);
    if (cursor) seen.add(cursor);
  } while (cursor);
  return { ms: performance.now() - started, users, pages };
}

/**
 * One `innerText()` per cell, as a script written from the Playwright docs does. The
 * rows are found by CSS, the cheapest locator: a role locator would rescan the whole
 * 10,000-row accessibility tree on every read (about a second each here), which would
 * flatter seatctl far more than the read pattern itself.
 */
async function readCellByCell(page: Page, limit = Infinity): Promise<number> {
  const rows = page.locator('table tbody tr');
  const n = Math.min(await rows.count(), limit);
  for (let i = 0; i < n; i++) {
    const row = rows.nth(i);
    for (let j = 0; j < 4; j++) await row.locator('td').nth(j).innerText();
  }
  return n;
}

async function withBrowser<T>(env: BenchEnv, fn: (page: Page) => Promise<T>): Promise<T> {
  // A fresh browser for each console, as separate scripts have.
  const { runtime, consoleRuntime } = env.engine();
  try {
    const context = await consoleRuntime.pool.newContext({ viewport: { width: 1280, height: 860 } });
    return await fn(await context.newPage());
  } finally {
    await runtime.close();
  }
}

async function naiveStitch(env: BenchEnv): Promise<AppTiming> {
  const sim = env.fixtures.stitch!;
  const started = performance.now();
  return withBrowser(env, async (page) => {
    await page.goto(`${sim.url}/signin`);
    await page.getByRole('textbox', { name: 'Email' }).fill(sim.credentials.email);
    await page.getByLabel('Password').fill(sim.credentials.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'User menu' }).waitFor();
    await page.goto(`${sim.url}/account/team`);
    await page.getByRole('table', { name: 'Team members' }).waitFor();
    const total = await page.locator('table tbody tr').count();
    const setupMs = performance.now() - started;
    const sample = FULL ? total : Math.min(total, STITCH_SAMPLE_ROWS);
    const readStart = performance.now();
    await readCellByCell(page, sample);
    const readMs = performance.now() - readStart;
    const ms = setupMs + (readMs * total) / sample;
    return { ms, users: total, pages: 1, ...(sample < total ? { extrapolated: `${sample} of ${total} rows read cell by cell, time scaled ×${(total / sample).toFixed(1)}` } : {}) };
  });
}

async function naiveBillcom(env: BenchEnv): Promise<AppTiming> {
  const sim = env.fixtures.billcom!;
  const started = performance.now();
  return withBrowser(env, async (page) => {
    await page.goto(`${sim.url}/login`);
    await page.getByRole('textbox', { name: 'Email' }).fill(sim.credentials.email);
    await page.getByLabel('Password').fill(sim.credentials.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Use authenticator app instead' }).click();
    await page.getByRole('button', { name: 'Text me a code instead' }).waitFor();
    await page.getByRole('textbox', { name: 'Verification code' }).fill(totpCode(sim.credentials.totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.goto(`${sim.url}/settings/users`);
    await page.getByText(/^Showing \d+.\d+ of \d+ users$/).waitFor();
    await page.getByRole('checkbox', { name: 'Show inactive users' }).check();
    const showing = page.getByText(/^Showing 1.\d+ of \d+ users$/);
    await showing.waitFor();
    const indicator = (await page.getByText(/^Page \d+ of \d+$/).innerText()).trim();
    const pages = Number(/of (\d+)$/.exec(indicator)?.[1] ?? 1);
    const users = Number(/of (\d+) users/.exec(await showing.innerText())?.[1] ?? 0);
    const setupMs = performance.now() - started;
    const sample = FULL ? pages : Math.min(pages, BILLCOM_SAMPLE_PAGES);
    const readStart = performance.now();
    for (let p = 1; p <= sample; p++) {
      await readCellByCell(page);
      if (p === pages) break;
      await page.getByRole('navigation', { name: 'Pagination' }).getByRole('button', { name: 'Next' }).click();
      await page.getByText(`Page ${p + 1} of ${pages}`, { exact: true }).waitFor();
    }
    const readMs = performance.now() - readStart;
    const ms = setupMs + (readMs * pages) / sample;
    return { ms, users, pages, ...(sample < pages ? { extrapolated: `${sample} of ${pages} pages read cell by cell, time scaled ×${(pages / sample).toFixed(1)}` } : {}) };
  });
}

async function naiveRun(): Promise<Record<FixtureApp, AppTiming>> {
  const env = await benchEnv([...FIXTURE_APPS], options());
  try {
    const out = {} as Record<FixtureApp, AppTiming>;
    out.bigid = await naiveBigId(env);
    out.sigma = await naiveSigma(env);
    out.stitch = await naiveStitch(env);
    out.billcom = await naiveBillcom(env);
    for (const app of FIXTURE_APPS) {
      const expected = await truthCount(env, app);
      if (out[app].users !== expected) throw new Error(`naive ${app}: saw ${out[app].users} of ${expected} users`);
    }
    return out;
  } finally {
    await env.close();
  }
}

/** The least time a listing can take: its requests in sequence × the profile's mean latency (sign-in and browser start excluded). */
function floorMs(app: FixtureApp, t: AppTiming): number {
  switch (app) {
    case 'bigid':
      // The first page alone (it tells the total), then `concurrency` pages in flight.
      return (1 + Math.ceil((t.pages - 1) / CONCURRENCY.bigid)) * API_MS;
    case 'sigma':
      return t.pages * API_MS;
    case 'stitch':
      return STITCH_VISIT_MS;
    case 'billcom': {
      // The first tab's first page, then every tab stepping through its range.
      const tabs = Math.max(1, Math.min(CONCURRENCY.billcom, Math.floor(t.pages / 8)));
      return BILLCOM_FIRST_MS + (Math.ceil(t.pages / tabs) - 1) * API_MS;
    }
  }
}

export async function benchReview10k(): Promise<BenchResult> {
  const { cold: seatctl, warm } = await seatctlRun();
  const naive = await naiveRun();
  const seatctlMs = Math.max(...FIXTURE_APPS.map((a) => seatctl[a].ms));
  const warmMs = Math.max(...FIXTURE_APPS.map((a) => warm[a].ms));
  const naiveMs = FIXTURE_APPS.reduce((sum, a) => sum + naive[a].ms, 0);

  const pad = (s: string, n: number) => s.padEnd(n);
  console.log(`\naccess review, ${USERS.toLocaleString('en')} users per app (inactive included); mean latency per request ${API_MS} ms, console page latency +${PAGE_MS} ms`);
  console.log('app      cold       warm       pages  floor      warm/floor   naive      pages  naive/cold');
  for (const app of FIXTURE_APPS) {
    const s = seatctl[app];
    const w = warm[app];
    const n = naive[app];
    const floor = floorMs(app, w);
    console.log(
      `${pad(app, 8)} ${pad(seconds(s.ms), 10)} ${pad(seconds(w.ms), 10)} ${pad(String(w.pages), 6)} ${pad(seconds(floor), 10)} ${pad(`${(w.ms / floor).toFixed(2)}x`, 12)} ${pad(seconds(n.ms) + (n.extrapolated ? '*' : ''), 10)} ${pad(String(n.pages), 6)} ${(n.ms / s.ms).toFixed(1)}x`,
    );
  }
  console.log(`${pad('all', 8)} ${pad(seconds(seatctlMs), 10)} ${pad(seconds(warmMs), 10)} ${pad('', 6)} ${pad('', 10)} ${pad('', 12)} ${pad(seconds(naiveMs), 10)} ${pad('', 6)} ${(naiveMs / seatctlMs).toFixed(1)}x`);
  console.log(`seatctl: the four apps in parallel (concurrency: bigid ${CONCURRENCY.bigid} pages, billcom ${CONCURRENCY.billcom} tabs), each time from the common start; cold: Chromium starts and every app signs in inside the run; warm: the same review again on the signed-in engine, as a running service has it, median of ${ROUNDS}; naive: the apps one after another.`);
  console.log('floor: the requests each listing must make in sequence × mean latency, sign-in and browser start excluded (BigID: first page, then the rest in flight; Stitch: one page visit; Bill.com: first page visit, then one /api/users per page in each tab\'s range).');
  for (const app of FIXTURE_APPS) if (naive[app].extrapolated) console.log(`* naive ${app} EXTRAPOLATED: ${naive[app].extrapolated} (BENCH_NAIVE_FULL=1 reads everything).`);
  return { name: `access review, ${USERS / 1000}k users × 4 apps`, seatctlMs, naiveMs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchReview10k();
  console.log(`${r.name}: seatctl ${seconds(r.seatctlMs)}, naive ${seconds(r.naiveMs)}, naive/seatctl ${(r.naiveMs / r.seatctlMs).toFixed(2)}x`);
}
