import { z } from 'zod';
import type { APIResponse, Response, Route } from 'playwright';
import { SeatctlError } from '../../src/errors/index.js';
import type { FlowContext } from '../../src/console/flow-context.js';
import { passwordSignIn } from '../../src/console/helpers/password-sign-in.js';
import { readTable } from '../../src/console/helpers/table.js';
import type { ProvisionSpec } from '../../src/drivers/driver.js';
import { normalizeEmail, type AppUser } from '../../src/model/index.js';
import type { StitchCredentials, StitchOptions } from './options.js';

type Ctx = FlowContext<StitchCredentials, StitchOptions>;

/** Sign-in is email + password; the SSO button only covers Okta logins, not ours. */
export const stitchLogin = (ctx: Ctx): Promise<void> => passwordSignIn(ctx, '/signin', 'userMenu');

const TEAM_PATH = '/account/team';

/**
 * Team Members, straight by URL (the user-menu path is what the canary walks) — or, as a
 * call's first step, the Team Members page a previous call left open, while its data is
 * younger than the app's visitWindowMs (a console visit, see docs/consoles.md).
 * `fresh`: always load it.
 */
export function openTeam(ctx: Ctx, options: { fresh?: boolean } = {}): Promise<{ continued: boolean; dataAt: number }> {
  return ctx.visit(TEAM_PATH, 'membersTable', options);
}

/** After `openTeam` (which waited for the table): resolving the table again costs ~1 s at 10,000 rows. */
export async function readTeam(ctx: Ctx): Promise<AppUser[]> {
  const rows = await readTable(ctx.locator('membersTable'));
  return rows
    .filter((r) => r.cells.Email)
    .map((r) => ({
      app: ctx.app,
      // Stitch shows no member id; an email belongs to one Stitch account only.
      id: normalizeEmail(r.cells.Email!),
      email: r.cells.Email!,
      name: r.cells.Name ?? '',
      role: r.cells.Role || null,
      status: r.cells.Status === 'Invited' ? ('invited' as const) : ('active' as const),
      origin: null,
      lastSeen: null,
      raw: r.cells,
    }));
}

/**
 * The request the Team Members page makes for its rows (the page is a client-side app:
 * one GET, then it draws every member). Its answer is the data the table is drawn from.
 */
const TEAM_DATA_PATH = '/api/team';

/** The page's next answer to its team request, with when it arrived (ms since the epoch). */
function nextTeamAnswer(ctx: Ctx): Promise<{ response: Response; at: number } | null> {
  const dataUrl = new URL(ctx.url(TEAM_DATA_PATH));
  return ctx.page
    .waitForResponse((r) => r.request().method() === 'GET' && new URL(r.url()).origin === dataUrl.origin && new URL(r.url()).pathname === dataUrl.pathname)
    .then(
      (response) => ({ response, at: Date.now() }),
      () => null,
    );
}

/** The page's team request, answered for it (see holdTeamAnswer) and not yet passed on. */
interface HeldTeamAnswer {
  body: Buffer;
  /** Hand the answer to the page (it draws the table from it). */
  release(): Promise<void>;
  /** Never hand it over (the page has been left). */
  drop(): Promise<void>;
}

/**
 * Takes the page's next team request (GET /api/team) in hand: the request goes out as
 * the page made it (its headers, the context's session cookies), its 200 answer is read
 * here and held back from the page until the caller releases or drops it; any other
 * answer goes straight to the page (which shows its error panel), as does the request
 * itself when it cannot be sent from here. Why: the body of an answer the page already
 * has is fetched from the renderer, and by then the renderer is busy laying out every
 * member (measured at 10,000 members: 2.3 s of a 3.6 s listing waiting for the body).
 * `answer` is null when no 200 answer is held.
 */
async function holdTeamAnswer(ctx: Ctx): Promise<{ answer: Promise<HeldTeamAnswer | null>; stop(): Promise<void> }> {
  const dataUrl = new URL(ctx.url(TEAM_DATA_PATH));
  const matches = (u: URL): boolean => u.origin === dataUrl.origin && u.pathname === dataUrl.pathname;
  let settle!: (held: HeldTeamAnswer | null) => void;
  const answer = new Promise<HeldTeamAnswer | null>((resolve) => (settle = resolve));
  let held: HeldTeamAnswer | null = null;
  let fired = false;
  const handler = async (route: Route): Promise<void> => {
    if (route.request().method() !== 'GET') return route.fallback();
    fired = true;
    let response: APIResponse;
    try {
      response = await route.fetch();
    } catch {
      settle(null);
      return route.continue().catch(() => undefined);
    }
    const body = response.status() === 200 ? await response.body().catch(() => null) : null;
    if (!body) {
      settle(null);
      return route.fulfill({ response }).catch(() => undefined);
    }
    let done = false;
    const once = (act: () => Promise<void>) => async (): Promise<void> => {
      if (done) return;
      done = true;
      await act().catch(() => undefined);
    };
    held = { body, release: once(() => route.fulfill({ response, body })), drop: once(() => route.abort()) };
    settle(held);
  };
  await ctx.page.route(matches, handler, { times: 1 });
  return {
    answer,
    /** Ends the hold; an answer neither released nor dropped (the call failed) is dropped. */
    async stop() {
      settle(null);
      await held?.drop();
      // A route taken once (`times: 1`) is already gone; only one never taken is removed.
      if (!fired) await ctx.page.unroute(matches, handler).catch(() => undefined);
    },
  };
}

/** The fields of the page's team data a listing needs; anything else in it is ignored. */
const teamDataSchema = z.object({
  members: z.array(z.object({ email: z.string().min(3), name: z.string().nullish(), role: z.string().nullish(), status: z.string().nullish() }).loose()),
});

function memberFromData(ctx: Ctx, m: z.infer<typeof teamDataSchema>['members'][number]): AppUser {
  return {
    app: ctx.app,
    id: normalizeEmail(m.email),
    email: m.email,
    name: m.name ?? '',
    role: m.role || null,
    status: m.status === 'Invited' ? 'invited' : 'active',
    origin: null,
    lastSeen: null,
    raw: { Email: m.email, Name: m.name ?? '', Role: m.role ?? '', Status: m.status ?? '' },
  };
}

/** The members in a 200 answer's body, or null (noted) when it is not the shape we know. */
function teamDataFrom(ctx: Ctx, body: Buffer | null): AppUser[] | null {
  let json: unknown;
  try {
    json = body ? JSON.parse(body.toString('utf8')) : undefined;
  } catch {
    json = undefined;
  }
  const parsed = teamDataSchema.safeParse(json);
  if (!parsed.success) {
    ctx.note('the Team Members page\'s data was not in the expected shape; the rows were read from the table instead');
    return null;
  }
  return parsed.data.members.map((m) => memberFromData(ctx, m));
}

/**
 * The whole team, for listings: one page visit, retried (ctx.retryRead) when the console
 * shows its error panel instead of the table ("Something went wrong on our end"), so a
 * transient failure does not leave an access review incomplete.
 *
 * The rows come from the data the page itself loaded for its table (the page's one
 * team request, in the signed-in session), not from the drawn table: Chromium laying
 * out 10,000 rows cost 5–20 s, the data arrives in well under one. The page never gets
 * that answer, so it draws nothing: it waits on its request while the rows are handed
 * on, and is left (about:blank) before the request is dropped — dropped while the page
 * is still there, it would show the page's error panel, and a console may send it
 * again. When that data is missing or not in the known shape, the table is read as before.
 */
export async function* listTeam(ctx: Ctx, onTotal?: (total: number) => void): AsyncGenerator<AppUser[]> {
  const kept: { answer: HeldTeamAnswer | null } = { answer: null };
  const members = await ctx.retryRead('the team members table', async () => {
    const held = await holdTeamAnswer(ctx);
    try {
      await ctx.goto('/account/team');
      // No answer to hold comes when the page shows its error panel instead (its own
      // session call failed) or draws the table from data fetched elsewhere (a console
      // whose team data moved): either ends the wait, and the page is read below.
      const drawn = new AbortController();
      const answer = await Promise.race([
        held.answer,
        ctx.shown(ctx.locator('membersTable').or(ctx.locator('teamError')).first(), drawn.signal).then(() => null, () => null),
      ]);
      drawn.abort();
      const fromData = answer ? teamDataFrom(ctx, answer.body) : null;
      if (answer && fromData) {
        kept.answer = answer;
        return fromData;
      }
      await answer?.release();
    } finally {
      if (!kept.answer) await held.stop();
    }
    await ctx.locator('membersTable').or(ctx.locator('teamError')).first().waitFor();
    const error = ctx.locator('teamError').first();
    if (await error.isVisible()) {
      const text = (await error.innerText()).trim();
      const code = TRANSIENT_ALERT.test(text) ? 'UPSTREAM_UNAVAILABLE' : 'UPSTREAM_REJECTED';
      throw new SeatctlError(code, `${ctx.app}: the team members table did not load: ${text}`, { details: { app: ctx.app, message: text } });
    }
    return readTeam(ctx);
  });
  onTotal?.(members.length);
  try {
    yield members;
  } finally {
    if (kept.answer) {
      // A page that cannot be left is closed by the driver, which finds it not blank.
      await ctx.page.goto('about:blank').catch(() => undefined);
      void kept.answer.drop();
    }
  }
}

/**
 * One member, read from the Team Members table (a continued visit's, or a fresh load;
 * `fresh` forces the load). The page is a listing as the server sent it, so it stays
 * open for the next call.
 */
export async function findMember(ctx: Ctx, email: string, options: { fresh?: boolean } = {}): Promise<AppUser | null> {
  await openTeam(ctx, options);
  const wanted = normalizeEmail(email);
  const found = (await readTeam(ctx)).find((u) => normalizeEmail(u.email) === wanted) ?? null;
  ctx.stayOnPage();
  return found;
}

export async function stitchRoles(ctx: Ctx): Promise<string[]> {
  await openTeam(ctx);
  await (await ctx.find('addMember')).click();
  const options = await (await ctx.find('inviteRole')).locator('option').allInnerTexts();
  await ctx.locator('dialogCancel').click();
  return options.map((o) => o.trim()).filter(Boolean);
}

/** What Stitch's console says when the failure is on its side (5xx, 429, network), not a rule. */
export const TRANSIENT_ALERT = /could not be reached|went wrong on our end/i;

/** `about`: text only this action's toast contains (see the `outcome` locator), when it has such text. */
async function outcome(ctx: Ctx, what: string, about?: string): Promise<string> {
  const shown = (await ctx.find('outcome', ...(about ? [about] : []))).first();
  const text = (await shown.innerText()).trim();
  if ((await shown.getAttribute('role')) === 'alert') {
    // Worth another try: the scheduler reads the account back first, in case the change landed.
    if (TRANSIENT_ALERT.test(text)) throw new SeatctlError('UPSTREAM_UNAVAILABLE', `${ctx.app}: ${what} failed on the console's side: ${text}`, { details: { app: ctx.app, message: text } });
    throw new SeatctlError('RULE_REFUSED', `${ctx.app}: ${what} refused by the console: ${text}`, { details: { app: ctx.app, message: text } });
  }
  return text;
}

export async function inviteMember(ctx: Ctx, spec: ProvisionSpec): Promise<AppUser | null> {
  await openTeam(ctx);
  await (await ctx.find('addMember')).click();
  await (await ctx.find('inviteEmail')).fill(spec.email);
  await (await ctx.find('inviteRole')).selectOption({ label: spec.role });
  await ctx.confirm(await ctx.find('sendInvite'), ctx.locator('dialogCancel'), `invite ${spec.email} as ${spec.role}`);
  await outcome(ctx, `inviting ${spec.email}`, spec.email.toLowerCase());
  await ctx.step('invitation sent');
  return findMember(ctx, spec.email);
}

export async function changeRole(ctx: Ctx, user: AppUser, role: string): Promise<AppUser | null> {
  // Always a fresh page: its toast ("Role updated") names no one, so an earlier call's
  // toast on a continued visit could pass for this change's outcome.
  await openTeam(ctx, { fresh: true });
  const select = await ctx.find('roleSelect', user.email);
  await ctx.step(`before: ${user.email} is ${user.role ?? 'no role'}`);
  // The select saves on change: the dry run stops before choosing.
  await ctx.confirm(() => select.selectOption({ label: role }), null, `change role of ${user.email} to ${role}`);
  await outcome(ctx, `changing the role of ${user.email}`);
  await ctx.step('role changed');
  return findMember(ctx, user.email);
}

export async function deactivateMember(ctx: Ctx, user: AppUser): Promise<AppUser | null> {
  const { continued } = await openTeam(ctx);
  // A continued visit may predate the member (invited since): never wait out the
  // locator timeout on an old page; load it afresh once instead (an instant check).
  if (continued && (await ctx.locator('deactivateRow', user.email).count()) === 0) await openTeam(ctx, { fresh: true });
  await ctx.step(`before: ${user.email} ${user.status}`);
  await (await ctx.find('deactivateRow', user.email)).click();
  await ctx.find('deactivateDialog');
  // After a change the page asks the server for the team again and redraws it: that
  // table is the read-back, with no second page load.
  const reloaded = nextTeamAnswer(ctx);
  await ctx.confirm(ctx.locator('deactivateConfirm'), ctx.locator('dialogCancel'), `confirm deactivation of ${user.email}`);
  await outcome(ctx, `deactivating ${user.email}`, user.email.toLowerCase());
  await ctx.step('after deactivation');
  return readBackOnPage(ctx, user.email, reloaded);
}

/**
 * The member as the team page shows them after the page reloaded its data from the
 * server (the console's own read after a change). When the page did not reload, or the
 * reload failed, the team page is loaded afresh instead (never a continued visit).
 * The page, redrawn from that reload, stays open for the next call as a listing as
 * fresh as the moment the reload answered.
 */
async function readBackOnPage(ctx: Ctx, email: string, reloaded: Promise<{ response: Response; at: number } | null>): Promise<AppUser | null> {
  const answer = await Promise.race([reloaded, new Promise<null>((r) => setTimeout(() => r(null), 5_000).unref())]);
  if (!answer || answer.response.status() !== 200) return findMember(ctx, email, { fresh: true });
  // The redraw follows the answer: give the row a moment to go (a row that stays is read back as it is).
  await ctx.locator('deactivateRow', email).waitFor({ state: 'detached', timeout: 2_000 }).catch(() => undefined);
  const wanted = normalizeEmail(email);
  const found = (await readTeam(ctx)).find((u) => normalizeEmail(u.email) === wanted) ?? null;
  // Kept only if the table is there to continue from (the next call checks it is visible).
  ctx.stayOnPage(answer.at);
  return found;
}

/** Stitch has no "reactivate": a deactivated member is re-invited with their former role. */
export async function reinviteMember(ctx: Ctx, user: AppUser): Promise<AppUser | null> {
  const [firstName = '', ...rest] = user.name.split(' ');
  return inviteMember(ctx, { email: user.email, firstName, lastName: rest.join(' '), role: user.role ?? 'General User' });
}

/** The doctor walks the path a person would: user menu → Manage Account Settings → Team Members. */
export async function stitchCanary(ctx: Ctx): Promise<void> {
  await ctx.goto('/');
  await (await ctx.find('userMenu')).click();
  await (await ctx.find('accountSettings')).click();
  await (await ctx.find('teamNav')).click();
  for (const name of ['teamHeading', 'membersTable', 'addMember']) await ctx.find(name);
}
