import { groundTruth } from './api-env.js';

/**
 * The access-review verdicts worked out from the simulators' own state and the roster
 * the test wrote, by the rules in docs/access-review.md — never by calling seatctl's
 * reconciliation — so a review that reads, matches or judges wrongly disagrees with it.
 */
export type ReviewApp = 'bigid' | 'sigma';

/** One account as a simulator's `/__fixture/state` holds it (BigID user or Sigma member). */
export interface TruthAccount {
  id?: string;
  memberId?: string;
  email: string;
  isEnabled?: boolean;
  isArchived?: boolean;
}

export interface RosterPerson {
  email: string;
  status: 'active' | 'terminated';
  /** YYYY-MM-DD or empty. */
  terminationDate: string;
}

export type Verdict = 'orphaned' | 'unknown_account' | 'active_ok' | 'disabled_ok' | 'missing';
export const VERDICTS: Verdict[] = ['orphaned', 'unknown_account', 'active_ok', 'disabled_ok', 'missing'];

export const accountId = (u: TruthAccount): string => String(u.id ?? u.memberId);

/** BigID: `isEnabled`; Sigma: `isArchived`. Nothing else in these two apps grants or removes access. */
export const hasAccess = (u: TruthAccount): boolean => (u.isEnabled !== undefined ? u.isEnabled : u.isArchived !== true);

/** docs/access-review.md "Matching": case ignored, plus-tag dropped, dots kept, look-alikes kept, NFC. */
export function matchKey(email: string): string {
  const e = email.normalize('NFC').toLowerCase();
  const at = e.lastIndexOf('@');
  return `${e.slice(0, at).replace(/\+.*$/, '')}${e.slice(at)}`;
}

export async function truthAccounts(stateUrl: string): Promise<TruthAccount[]> {
  return (await groundTruth<{ users: TruthAccount[] }>(stateUrl)).users;
}

/** `app id email verdict` for every row the review must hold (missing rows have an empty id). */
export function expectedRows(accounts: Record<ReviewApp, TruthAccount[]>, roster: RosterPerson[], today = new Date().toISOString().slice(0, 10)): string[] {
  const people = new Map(roster.map((p) => [matchKey(p.email), p]));
  const rows: string[] = [];
  for (const app of Object.keys(accounts) as ReviewApp[]) {
    const held = new Set<string>();
    for (const u of accounts[app]) {
      const person = people.get(matchKey(u.email));
      held.add(matchKey(u.email));
      let verdict: Verdict;
      if (!hasAccess(u)) verdict = person ? 'disabled_ok' : 'unknown_account';
      else if (!person) verdict = 'orphaned';
      else if (person.status === 'active') verdict = 'active_ok';
      else verdict = person.terminationDate === '' || person.terminationDate <= today ? 'orphaned' : 'active_ok';
      rows.push(`${app} ${accountId(u)} ${u.email} ${verdict}`);
    }
    for (const p of roster) if (p.status === 'active' && !held.has(matchKey(p.email))) rows.push(`${app}  ${p.email} missing`);
  }
  return rows.sort();
}

/** Per-app verdict counts of those rows, in the shape of `job.review.counts`. */
export function countsOf(rows: string[]): Record<string, Record<Verdict, number>> {
  const counts: Record<string, Record<Verdict, number>> = {};
  for (const row of rows) {
    const parts = row.split(' ');
    const app = parts[0]!;
    const verdict = parts.at(-1) as Verdict;
    counts[app] ??= Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
    counts[app]![verdict] += 1;
  }
  return counts;
}

/** The same `app id email verdict` line for a row of seatctl's review.json. */
export const rowLine = (r: { app: string; id: string; email: string; verdict: string }): string => `${r.app} ${r.id} ${r.email} ${r.verdict}`;
