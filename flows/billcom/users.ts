import { SeatctlError } from '../../src/errors/index.js';
import type { Page, Response } from 'playwright';
import type { FlowContext } from '../../src/console/flow-context.js';
import { readTable, tableRowsJson, type TableRow } from '../../src/console/helpers/table.js';
import { normalizeEmail, type AppUser, type UserStatus } from '../../src/model/index.js';
import { billcomLocators } from './locators.js';
import type { BillcomCredentials, BillcomOptions } from './options.js';

type Ctx = FlowContext<BillcomCredentials, BillcomOptions>;

/** The console's private JSON call behind each page of the users table. */
const USERS_API = '/api/users';

const STATUS: Record<string, UserStatus> = { Active: 'active', Inactive: 'inactive', Pending: 'pending' };

function toUser(app: string, row: TableRow): AppUser | null {
  const href = row.links.Name;
  const email = row.cells.Email;
  if (!href || !email) return null; // the "No users found." row
  const id = href.split('/').filter(Boolean).pop() ?? '';
  return {
    app,
    id,
    email,
    name: row.cells.Name ?? '',
    role: row.cells.Role || null,
    status: STATUS[row.cells.Status ?? ''] ?? 'inactive',
    origin: null,
    lastSeen: null,
    raw: row.cells,
  };
}

/** Opens the users page with the URL's own filters and waits for the rows, not for `load`. */
export async function openUsers(ctx: Ctx, query: { q?: string; page?: number; inactive: boolean }): Promise<void> {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.page && query.page > 1) params.set('page', String(query.page));
  if (query.inactive) params.set('inactive', '1');
  await ctx.goto(`/settings/users${params.size ? `?${params}` : ''}`);
  await ctx.find('usersLoaded');
}

export async function readUsersPage(ctx: Ctx): Promise<AppUser[]> {
  if (/No users found/.test(await (await ctx.find('usersLoaded')).first().innerText())) return [];
  const rows = await readTable(await ctx.find('usersTable'));
  return rows.map((r) => toUser(ctx.app, r)).filter((u): u is AppUser => u !== null);
}

/** Search is server-side and fuzzy; the exact email is matched here. */
export async function findBillcomUser(ctx: Ctx, email: string): Promise<AppUser | null> {
  await openUsers(ctx, { q: email, inactive: true });
  const wanted = normalizeEmail(email);
  return (await readUsersPage(ctx)).find((u) => normalizeEmail(u.email) === wanted) ?? null;
}

/** A tab must have this many pages to read to be worth opening (~1 s: a new page and a full render). */
const MIN_PAGES_PER_TAB = 8;

interface ListOptions {
  onTotal?: ((total: number) => void) | undefined;
  /** Tabs that may read pages at once; default 1. */
  concurrency?: number | undefined;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are read in page order; one behind an earlier failure is never awaited.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/** The users a page's table rows describe (rows that are not a user are skipped). */
const usersOf = (app: string, rows: TableRow[]): AppUser[] => rows.map((r) => toUser(app, r)).filter((u): u is AppUser => u !== null);

/** One page of the table, in one DOM evaluation. */
const readRows = async (app: string, page: Page): Promise<AppUser[]> => usersOf(app, await readTable(billcomLocators.usersTable(page)));

const isUsersCall = (r: Response): boolean => r.request().method() === 'GET' && new URL(r.url()).pathname === USERS_API;

/**
 * How long the in-page step waits for page n to be drawn after its data came back
 * (normally a few milliseconds: the console draws the table, the count and the pager in
 * one go). Past it, the step hands over to the locator wait, which has the locator
 * timeout and its error.
 */
const DRAWN_WAIT_MS = 2_000;

interface StepArg {
  n: number;
  /** Click Next once the page is read. */
  next: boolean;
  waitMs: number;
}

/** `json`: the table's rows (tableRowsJson). `not-drawn`/`not-found`: the locator path takes over. */
type StepResult = { kind: 'read'; json: string } | { kind: 'not-drawn' } | { kind: 'not-found'; what: string };

/**
 * In the page, in one evaluation: waits (a MutationObserver, at most `waitMs`) until the
 * pager shows "Page n of N", reads the Users table, then dispatches a click on Next when
 * asked — what the locators `pageIndicator`, `usersTable` and `nextPage` find, looked up
 * strictly (exact names, one match, an enabled Next). Anything else is `not-found` and
 * the caller goes the locator way, so a redesign still fails on the named locators.
 * Self-contained: its source is sent to the page.
 */
function stepInPage(arg: StepArg, rowsOf: (table: Element) => string): Promise<StepResult> {
  const norm = (s: string | null | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
  const indicator = new RegExp(`^Page ${arg.n} of \\d+$`);
  const pager = (): Element | undefined =>
    [...document.querySelectorAll('nav[aria-label], [role="navigation"][aria-label]')].find(
      (nav) => norm(nav.getAttribute('aria-label')) === 'Pagination' && [...nav.querySelectorAll('*')].some((el) => indicator.test(norm(el.textContent))),
    );
  const tableName = (t: HTMLTableElement): string => {
    const labelledBy = t.getAttribute('aria-labelledby');
    if (labelledBy) return norm(labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' '));
    return norm(t.getAttribute('aria-label') ?? t.caption?.textContent);
  };
  const finish = (nav: Element): StepResult => {
    const tables = [...document.querySelectorAll('table')].filter((t) => tableName(t) === 'Users');
    const empty = tables.length === 0 && [...document.querySelectorAll('body *')].some((el) => el.childElementCount === 0 && norm(el.textContent) === 'No users found.');
    if (tables.length !== 1 && !empty) return { kind: 'not-found', what: 'usersTable' };
    let next: HTMLButtonElement | undefined;
    if (arg.next) {
      const buttons = [...nav.querySelectorAll('button')].filter((b) => norm(b.getAttribute('aria-label') ?? b.textContent) === 'Next');
      if (buttons.length !== 1 || buttons[0]!.disabled) return { kind: 'not-found', what: 'nextPage' };
      next = buttons[0];
    }
    const json = tables[0] ? rowsOf(tables[0]) : '[]';
    // As Playwright's dispatchEvent('click') does: no actionability wait, no pointer.
    next?.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, composed: true }));
    return { kind: 'read', json };
  };
  return new Promise((resolve) => {
    let over = false;
    const done = (result: StepResult) => {
      if (over) return;
      over = true;
      observer.disconnect();
      clearTimeout(timer);
      resolve(result);
    };
    const check = () => {
      try {
        const nav = pager();
        if (nav) done(finish(nav));
      } catch (err) {
        done({ kind: 'not-found', what: String(err) });
      }
    };
    const observer = new MutationObserver(check);
    const timer = setTimeout(() => done({ kind: 'not-drawn' }), arg.waitMs);
    observer.observe(document, { childList: true, subtree: true, characterData: true });
    check();
  });
}

/**
 * Page `n`, whose users call answered OK: its rows, and (`next`) a click on Next for
 * page n+1 — one browser round trip. When the in-page step cannot (the page was not
 * drawn in time, or a control is not where the strict look-up expects it), the same
 * thing the locator way: the wait for "Page n of N" (locator timeout, its error), the
 * table by its named locator, Next by its named locator.
 */
async function readAndTurn(app: string, page: Page, n: number, next: boolean): Promise<AppUser[]> {
  const arg: StepArg = { n, next, waitMs: DRAWN_WAIT_MS };
  // An expression, so the table reader goes along in the same evaluation (Playwright
  // sends a function's source the same way).
  const step = (await page.evaluate(`(${stepInPage.toString()})(${JSON.stringify(arg)}, ${tableRowsJson.toString()})`)) as StepResult;
  if (step.kind === 'read') return usersOf(app, JSON.parse(step.json) as TableRow[]);
  await drawn(page, n);
  const users = await readRows(app, page);
  // A dispatched click: paging a read-only table needs no actionability wait (the
  // "stable" check alone costs two animation frames a page), and a pop-up that covers
  // the pager cannot swallow it.
  if (next) await billcomLocators.nextPage(page).dispatchEvent('click');
  return users;
}

/**
 * Opens page `n` by address in `page` (a retry, or a tab's first page): the address
 * keeps the page number and the inactive filter, so a failed page is read again where
 * it failed, not from the start. Returns once the page's users call answered OK.
 */
async function openAt(ctx: Ctx, page: Page, n: number, includeInactive: boolean): Promise<void> {
  const query = new URLSearchParams({ ...(n > 1 ? { page: String(n) } : {}), ...(includeInactive ? { inactive: '1' } : {}) });
  const loaded = page.waitForResponse(isUsersCall);
  loaded.catch(() => undefined);
  const res = await page.goto(ctx.url(`/settings/users${query.size ? `?${query}` : ''}`), { waitUntil: 'domcontentloaded' });
  if (res && !res.ok()) {
    const transient = res.status() >= 500 || res.status() === 429;
    throw new SeatctlError(transient ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED', `${ctx.app}: the users page for page ${n} did not load (HTTP ${res.status()})`, { details: { app: ctx.app, page: n } });
  }
  await answered(ctx.app, page, await loaded, n);
}

/** The users call for page `n` answered: OK, or a typed error. */
async function answered(app: string, page: Page, response: Response, n: number): Promise<void> {
  if (response.status() === 401) throw new SeatctlError('SESSION_EXPIRED', `${app}: the console session ended while reading page ${n}`);
  if (!response.ok()) {
    // The console shows an alert and a Retry button instead of the table.
    const alert = billcomLocators.usersError(page).first();
    await alert.waitFor();
    const message = (await alert.innerText()).trim();
    // Server trouble is worth another try; a refusal (403: not an admin any more) is not.
    const transient = response.status() >= 500 || response.status() === 429;
    throw new SeatctlError(transient ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED', `${app}: page ${n} of the users table did not load (HTTP ${response.status()}): ${message}`, {
      details: { app, page: n, status: response.status(), message },
    });
  }
}

/** The table is replaced in place: wait until what is drawn now is page n (the locator wait). */
async function drawn(page: Page, n: number): Promise<void> {
  await page.getByText(new RegExp(`^Page ${n} of \\d+$`)).or(page.getByText(/^No users found\.$/)).first().waitFor();
}

/**
 * Every user, 25 a page (the console's fixed page size), in as few browser round trips
 * as the console allows: one address that already has "Show inactive users" set (the
 * toggle keeps its state in `?inactive=1`), then per page one wait for the page's data
 * (its users call, event-driven) and one page evaluation that waits until the page is
 * drawn, reads the whole table and clicks Next for the following page.
 *
 * Next only steps by one, so with `concurrency` > 1 the pages are split into
 * contiguous ranges, each read by its own tab of the same session (opened at its first
 * page by address, then stepping with Next); pages are still yielded in order. The
 * extra tabs open once page 2 has loaded in the first, so a console that fails early
 * costs one tab only.
 */
export async function* listBillcomUsers(ctx: Ctx, includeInactive: boolean, options: ListOptions = {}): AsyncGenerator<AppUser[]> {
  // Page 1 by address, retried on the console's transient failures like every other page.
  const first = await ctx.retryRead('page 1 of the users table', async () => {
    await openAt(ctx, ctx.page, 1, includeInactive);
    return readAndTurn(ctx.app, ctx.page, 1, false);
  });
  const shownText = (await (await ctx.find('usersLoaded')).first().innerText()).trim();
  const counted = /^Showing (\d+).(\d+) of (\d+) users$/.exec(shownText);
  if (!counted) {
    // "No users found."
    options.onTotal?.(0);
    return;
  }
  const total = Number(counted[3]);
  options.onTotal?.(total);
  const pageSize = Number(counted[2]) - Number(counted[1]) + 1;
  const [, , pagesText] = /^Page (\d+) of (\d+)$/.exec((await (await ctx.find('pageIndicator')).innerText()).trim()) ?? [];
  const pages = Number(pagesText ?? 1);
  // Named failure up front if a redesign moved the pager.
  if (pages > 1) await ctx.find('nextPage');

  const tabs = Math.max(1, Math.min(Math.floor(options.concurrency ?? 1), Math.floor(pages / MIN_PAGES_PER_TAB)));
  const per = Math.ceil(pages / tabs);
  const slots = Array.from({ length: pages }, () => deferred<AppUser[]>());
  const extra: Page[] = [];
  let stopped = false;

  /**
   * Reads pages from..to in `page`. Each page is one retried read (ctx.retryRead): a page
   * that fails is loaded again by address, then paging goes on from there, so every page
   * is read once, in order, however many tries it took. Reading a page also clicks Next
   * for the one after it (readAndTurn), so the wait for that page's users call starts
   * before it: `turned` is that wait, taken by the next page's first attempt.
   */
  const readRange = async (page: Page, from: number, to: number, opened: AppUser[] | null, onFirstTurn?: () => void): Promise<void> => {
    let n = from;
    let turned: Promise<Response> | null = null;
    try {
      for (; n <= to && !stopped; n++) {
        const at = n;
        const users =
          at === from && opened
            ? opened
            : await ctx.retryRead(`page ${at} of the users table`, async (attempt) => {
                const pending = turned;
                turned = null;
                if (attempt > 1 || at === from) {
                  await openAt(ctx, page, at, includeInactive);
                } else if (pending) {
                  await answered(ctx.app, page, await pending, at);
                } else {
                  // After a page read elsewhere (page 1, before the page count was known).
                  const loaded = page.waitForResponse(isUsersCall);
                  await billcomLocators.nextPage(page).dispatchEvent('click');
                  await answered(ctx.app, page, await loaded, at);
                }
                const next = at < to && !stopped;
                if (next) {
                  turned = page.waitForResponse(isUsersCall);
                  // Left behind when this page fails (the retry loads it by address) or the listing stops.
                  turned.catch(() => undefined);
                }
                return readAndTurn(ctx.app, page, at, next);
              });
        if (at === from + 1) onFirstTurn?.();
        slots[at - 1]!.resolve(users);
      }
    } catch (err) {
      for (; n <= to; n++) slots[n - 1]!.reject(err);
    }
  };

  const openTab = async (from: number, to: number): Promise<void> => {
    try {
      const page = await ctx.page.context().newPage();
      extra.push(page);
      await readRange(page, from, to, null);
    } catch (err) {
      for (let n = from; n <= to; n++) slots[n - 1]!.reject(err);
    }
  };

  const startOthers = () => {
    for (let k = 1; k < tabs; k++) void openTab(k * per + 1, Math.min(pages, (k + 1) * per));
  };
  void readRange(ctx.page, 1, Math.min(pages, per), first, startOthers);

  try {
    let read = 0;
    for (let n = 1; n <= pages; n++) {
      const users = await slots[n - 1]!.promise;
      // A page that does not hold what "Showing a–b of n" promised means the list moved
      // under us (someone added or removed a user): fail rather than miss a person.
      const expected = Math.min(pageSize, total - read);
      if (users.length !== expected) {
        throw new SeatctlError('CONFLICT', `${ctx.app}: page ${n} of the users table had ${users.length} users, expected ${expected}: the list changed while it was read; run the listing again`, {
          retryClass: 'retryable',
          details: { app: ctx.app, page: n },
        });
      }
      read += users.length;
      yield users;
    }
  } finally {
    stopped = true;
    await Promise.all(extra.map((p) => p.close().catch(() => undefined)));
  }
}

export async function billcomRoles(ctx: Ctx): Promise<string[]> {
  await ctx.goto('/settings/users/new');
  const select = await ctx.find('role');
  const options = await select.locator('option').allInnerTexts();
  return options.map((o) => o.trim()).filter((o) => o && !/^select/i.test(o));
}

/** Waits for the console's verdict: success text, or a refusal that becomes a typed error. */
/** The console's words for trouble on its side (5xx, 429, network), as opposed to a refusal. */
export const TRANSIENT_ALERT = /went wrong on our end|could not reach BILL|too many requests/i;

export async function outcome(ctx: Ctx, what: string): Promise<string> {
  const shown = (await ctx.find('outcome')).first();
  const text = (await shown.innerText()).trim();
  if ((await shown.getAttribute('role')) === 'alert') {
    // Worth another try: the scheduler reads the account back first, in case the change landed.
    if (TRANSIENT_ALERT.test(text)) throw new SeatctlError('UPSTREAM_UNAVAILABLE', `${ctx.app}: ${what} failed on the console's side: ${text}`, { details: { app: ctx.app, message: text } });
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: ${what} refused by the console: ${text}`, { details: { app: ctx.app, message: text } });
  }
  return text;
}
