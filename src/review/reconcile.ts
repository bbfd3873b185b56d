import { OFFBOARDED_STATUSES } from '../model/index.js';
import type { AppReview, ReviewRow } from './review-rows.js';
import { emailMatchKey, type Roster, type RosterPerson } from './roster.js';

/**
 * Reconciles the accounts read from the apps against the HR roster.
 *
 * An account "has access" unless its status is inactive or archived: active, and
 * also invited and pending, because an open invitation can still be accepted by
 * whoever holds the mailbox. An unrecognised status counts as access too, so it
 * surfaces in the review instead of being waved through.
 *
 * | account    | roster says                                   | verdict          |
 * |------------|-----------------------------------------------|------------------|
 * | access     | terminated, no date or date <= today          | orphaned         |
 * | access     | not in the roster                             | orphaned         |
 * | access     | active, or terminated with a future date      | active_ok        |
 * | no access  | in the roster (any status)                    | disabled_ok      |
 * | no access  | not in the roster                             | unknown_account  |
 * | none       | active, app listing complete                  | missing          |
 *
 * `missing` is informational (someone on the roster has no account in an app) and is
 * only emitted for apps whose listing is complete: for an app that failed part-way we
 * do not know who is missing, and guessing would list people who do have accounts.
 * Several accounts of one person in one app (aliases) are reconciled one by one, so
 * each alias of a leaver is its own orphan.
 *
 * "Today" is the UTC calendar date of `now`; a termination dated today is in effect.
 */
export type Verdict = 'orphaned' | 'active_ok' | 'disabled_ok' | 'unknown_account' | 'missing';

export const VERDICTS: readonly Verdict[] = ['orphaned', 'unknown_account', 'active_ok', 'disabled_ok', 'missing'];

export interface ReconciledPerson {
  email: string;
  name: string;
  status: 'active' | 'terminated';
  terminationDate: string | null;
  manager: string | null;
}

export interface ReconciledRow extends ReviewRow {
  verdict: Verdict;
  reason: string;
  person: ReconciledPerson | null;
}

export interface Reconciliation {
  rows: ReconciledRow[];
  counts: Record<string, Record<Verdict, number>>;
  orphans: ReconciledRow[];
}

/** The same rule offboarding uses (model/app-user.ts): only inactive and archived accounts are without access. */
const hasAccess = (status: string): boolean => !(OFFBOARDED_STATUSES as readonly string[]).includes(status);

const emptyCounts = (): Record<Verdict, number> => ({ orphaned: 0, active_ok: 0, disabled_ok: 0, unknown_account: 0, missing: 0 });

const toPerson = (p: RosterPerson): ReconciledPerson => ({
  email: p.email,
  name: p.name,
  status: p.status,
  terminationDate: p.terminationDate,
  manager: p.manager,
});

const managerNote = (p: RosterPerson): string => (p.manager ? ` (manager: ${p.manager})` : '');

function judge(row: ReviewRow, person: RosterPerson | undefined, today: string): { verdict: Verdict; reason: string } {
  if (!hasAccess(row.status)) {
    if (!person) return { verdict: 'unknown_account', reason: `account ${row.status}; not in the roster` };
    const said = person.status === 'terminated' ? `terminated${person.terminationDate ? ` ${person.terminationDate}` : ''}` : 'active';
    return { verdict: 'disabled_ok', reason: `account ${row.status}; ${said} in the roster` };
  }
  if (!person) return { verdict: 'orphaned', reason: 'not in the roster' };
  if (person.status === 'terminated') {
    if (person.terminationDate !== null && person.terminationDate > today) {
      return { verdict: 'active_ok', reason: `leaves on ${person.terminationDate}${managerNote(person)}` };
    }
    return { verdict: 'orphaned', reason: `terminated${person.terminationDate ? ` ${person.terminationDate}` : ''}${managerNote(person)}` };
  }
  // HR's status is the source of truth; a passed date on an active person is shown,
  // not acted on, because rehires and corrected records look exactly like this.
  const stale = person.terminationDate !== null && person.terminationDate <= today ? ` (termination date ${person.terminationDate} has passed)` : '';
  return { verdict: 'active_ok', reason: `active in the roster${stale}` };
}

const order = new Map(VERDICTS.map((v, i) => [v, i]));

function compareRows(a: ReconciledRow, b: ReconciledRow): number {
  return (
    order.get(a.verdict)! - order.get(b.verdict)! ||
    cmp(a.app, b.app) ||
    cmp(a.email.toLowerCase(), b.email.toLowerCase()) ||
    cmp(a.email, b.email) ||
    cmp(a.id, b.id)
  );
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function reconcile(rows: ReviewRow[], apps: AppReview[], roster: Roster, options: { now?: Date } = {}): Reconciliation {
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const counts: Record<string, Record<Verdict, number>> = {};
  for (const a of apps) counts[a.app] ??= emptyCounts();

  const out: ReconciledRow[] = [];
  const seen = new Map<string, Set<string>>();
  for (const row of rows) {
    const key = emailMatchKey(row.email);
    const person = roster.byKey.get(key);
    const { verdict, reason } = judge(row, person, today);
    out.push({ ...row, verdict, reason, person: person ? toPerson(person) : null });
    let keys = seen.get(row.app);
    if (!keys) seen.set(row.app, (keys = new Set()));
    keys.add(key);
  }

  for (const app of apps) {
    if (!app.complete) continue;
    const keys = seen.get(app.app) ?? new Set<string>();
    for (const p of roster.people) {
      if (p.status !== 'active' || keys.has(p.key)) continue;
      out.push({
        app: app.app,
        id: '',
        email: p.email,
        name: p.name,
        role: null,
        status: 'none',
        origin: null,
        lastSeen: null,
        verdict: 'missing',
        reason: `active in the roster, no account in ${app.app}`,
        person: toPerson(p),
      });
    }
  }

  for (const r of out) (counts[r.app] ??= emptyCounts())[r.verdict] += 1;
  out.sort(compareRows);
  return { rows: out, counts, orphans: out.filter((r) => r.verdict === 'orphaned') };
}
