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

/**
 * Where a reconciled row goes in every output: by verdict (VERDICTS order), app, email
 * case-insensitively, email, id, each string compared by UTF-16 code unit as JavaScript
 * compares strings. As bytes, so that SQLite (which compares BLOBs with memcmp) keeps a
 * review's rows in this order on disk (listing-db.ts): each string's UTF-16BE bytes with
 * every 0x00 byte escaped as 00 FF and a 00 00 terminator, so a string sorts before every
 * longer string it begins, and no string's bytes run into the next field.
 */
export function rowOrderKey(row: Pick<ReconciledRow, 'verdict' | 'app' | 'email' | 'id'>): Buffer {
  const parts = [row.app, row.email.toLowerCase(), row.email, row.id];
  const out: number[] = [order.get(row.verdict)!];
  for (const s of parts) {
    for (let i = 0; i < s.length; i += 1) {
      const unit = s.charCodeAt(i);
      for (const byte of [unit >> 8, unit & 0xff]) {
        out.push(byte);
        if (byte === 0) out.push(0xff);
      }
    }
    out.push(0, 0);
  }
  return Buffer.from(out);
}

/** Missing rows: people active in the roster with no account in an app whose listing is complete. */
function missingRow(app: string, p: RosterPerson): ReconciledRow {
  return {
    app,
    id: '',
    email: p.email,
    name: p.name,
    role: null,
    status: 'none',
    origin: null,
    lastSeen: null,
    verdict: 'missing',
    reason: `active in the roster, no account in ${app}`,
    person: toPerson(p),
  };
}

/**
 * Reconciles one listed row at a time, remembering only which roster person has an
 * account in which app (a byte per person and app) and the counts: what a review needs
 * in memory besides the roster, however many accounts it lists. Feed every row in
 * listing order, then take the missing rows.
 */
export interface Reconciler {
  judge(row: ReviewRow): ReconciledRow;
  /** The missing rows, app by app in `apps` order, roster order within an app; counted as they are taken. */
  missing(): Generator<ReconciledRow>;
  /** Rows per app and verdict, apps in first-seen order (the apps given first). */
  readonly counts: Record<string, Record<Verdict, number>>;
}

export function createReconciler(apps: AppReview[], roster: Roster, options: { now?: Date } = {}): Reconciler {
  const today = (options.now ?? new Date()).toISOString().slice(0, 10);
  const counts: Record<string, Record<Verdict, number>> = {};
  for (const a of apps) counts[a.app] ??= emptyCounts();
  const indexOf = new Map(roster.people.map((p, i) => [p, i]));
  const seen = new Map(apps.map((a) => [a.app, new Uint8Array(roster.people.length)]));
  const count = (r: ReconciledRow) => {
    (counts[r.app] ??= emptyCounts())[r.verdict] += 1;
    return r;
  };
  return {
    counts,
    judge(row) {
      const person = roster.byKey.get(emailMatchKey(row.email));
      const { verdict, reason } = judge(row, person, today);
      if (person) {
        const mark = seen.get(row.app);
        if (mark) mark[indexOf.get(person)!] = 1;
      }
      return count({ ...row, verdict, reason, person: person ? toPerson(person) : null });
    },
    *missing() {
      for (const app of apps) {
        if (!app.complete) continue;
        const mark = seen.get(app.app)!;
        for (const [i, p] of roster.people.entries()) {
          if (p.status !== 'active' || mark[i]) continue;
          yield count(missingRow(app.app, p));
        }
      }
    },
  };
}

/** The same reconciliation in memory, for a listing already held (tests, small callers). */
export function reconcile(rows: ReviewRow[], apps: AppReview[], roster: Roster, options: { now?: Date } = {}): Reconciliation {
  const reconciler = createReconciler(apps, roster, options);
  const out = rows.map((row) => reconciler.judge(row));
  out.push(...reconciler.missing());
  const keyed = out.map((row) => ({ row, key: rowOrderKey(row) }));
  // Array.prototype.sort is stable: rows with equal keys keep their listing order, as on disk.
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  const sorted = keyed.map((k) => k.row);
  return { rows: sorted, counts: reconciler.counts, orphans: sorted.filter((r) => r.verdict === 'orphaned') };
}
