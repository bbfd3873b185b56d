import { test, expect } from '@playwright/test';
import { reconcile, type ReconciledRow } from '../../src/review/reconcile.js';
import type { AppReview, ReviewRow } from '../../src/review/review-rows.js';
import { parseRoster } from '../../src/review/roster.js';

const NOW = new Date('2026-10-01T12:00:00Z');

const roster = parseRoster(
  [
    'email,name,status,termination_date,manager',
    'alice@x.com,Alice,active,,',
    'bob@x.com,Bob,terminated,2026-09-15,mgr@x.com',
    'carol@x.com,Carol,terminated,2026-10-01,', // terminated today: in effect
    'dan@x.com,Dan,terminated,2026-12-31,mgr@x.com', // leaves in the future
    'erin@x.com,Erin,terminated,,', // terminated, no date
    'frank@x.com,Frank,active,,',
  ].join('\n'),
);

const row = (app: string, email: string, status: string, id = `${app}-${email}`): ReviewRow => ({
  app,
  id,
  email,
  name: email.split('@')[0]!,
  role: 'member',
  status,
  origin: null,
  lastSeen: null,
});

const complete = (app: string, count: number): AppReview => ({ app, complete: true, count });

const find = (rows: ReconciledRow[], app: string, email: string, status?: string): ReconciledRow => {
  const r = rows.find((x) => x.app === app && x.email === email && (status === undefined || x.status === status));
  if (!r) throw new Error(`no row ${app} ${email}`);
  return r;
};

test('verdict table: every rule, with its reason', () => {
  const rows = [
    row('sigma', 'Alice@X.com', 'active'), // roster active → active_ok
    row('sigma', 'bob@x.com', 'active'), // terminated in the past → orphaned
    row('sigma', 'carol@x.com', 'active'), // terminated today → orphaned
    row('sigma', 'dan@x.com', 'active'), // terminates in the future → active_ok
    row('sigma', 'erin@x.com', 'active'), // terminated, no date → orphaned
    row('sigma', 'zed@x.com', 'active'), // not in roster → orphaned
    row('sigma', 'frank@x.com', 'inactive'), // no access, in roster → disabled_ok
    row('sigma', 'bob+old@x.com', 'archived'), // no access, terminated → disabled_ok
    row('sigma', 'ghost@x.com', 'inactive'), // no access, unknown → unknown_account
  ];
  const { rows: out, counts } = reconcile(rows, [complete('sigma', rows.length)], roster, { now: NOW });
  const verdicts = Object.fromEntries(out.filter((r) => r.verdict !== 'missing').map((r) => [`${r.email}/${r.status}`, [r.verdict, r.reason]]));
  expect(verdicts).toEqual({
    'Alice@X.com/active': ['active_ok', 'active in the roster'],
    'bob@x.com/active': ['orphaned', 'terminated 2026-09-15 (manager: mgr@x.com)'],
    'carol@x.com/active': ['orphaned', 'terminated 2026-10-01'],
    'dan@x.com/active': ['active_ok', 'leaves on 2026-12-31 (manager: mgr@x.com)'],
    'erin@x.com/active': ['orphaned', 'terminated'],
    'zed@x.com/active': ['orphaned', 'not in the roster'],
    'frank@x.com/inactive': ['disabled_ok', 'account inactive; active in the roster'],
    'bob+old@x.com/archived': ['disabled_ok', 'account archived; terminated 2026-09-15 in the roster'],
    'ghost@x.com/inactive': ['unknown_account', 'account inactive; not in the roster'],
  });
  expect(find(out, 'sigma', 'bob@x.com').person).toEqual({ email: 'bob@x.com', name: 'Bob', status: 'terminated', terminationDate: '2026-09-15', manager: 'mgr@x.com' });
  expect(find(out, 'sigma', 'zed@x.com').person).toBeNull();
  expect(counts.sigma).toEqual({ orphaned: 4, active_ok: 2, disabled_ok: 2, unknown_account: 1, missing: 0 });
});

test('invited and pending accounts have access: orphaned when the person left, ok when active', () => {
  const rows = [row('bigid', 'bob@x.com', 'invited'), row('bigid', 'new@x.com', 'pending'), row('bigid', 'alice@x.com', 'pending')];
  const { rows: out } = reconcile(rows, [complete('bigid', 3)], roster, { now: NOW });
  expect(find(out, 'bigid', 'bob@x.com').verdict).toBe('orphaned');
  expect(find(out, 'bigid', 'new@x.com')).toMatchObject({ verdict: 'orphaned', reason: 'not in the roster' });
  expect(find(out, 'bigid', 'alice@x.com').verdict).toBe('active_ok');
});

test('missing: one row per active person without an account in each complete app, none for incomplete apps', () => {
  const rows = [row('sigma', 'alice@x.com', 'active'), row('stitch', 'frank@x.com', 'inactive')];
  const apps: AppReview[] = [complete('sigma', 1), { app: 'stitch', complete: false, count: 1, error: { code: 'NETWORK', message: 'reset' } }];
  const { rows: out, counts } = reconcile(rows, apps, roster, { now: NOW });
  const missing = out.filter((r) => r.verdict === 'missing');
  // Frank is active with no sigma account; Alice has one; terminated people are never "missing".
  expect(missing.map((r) => `${r.app}/${r.email}`)).toEqual(['sigma/frank@x.com']);
  expect(missing[0]).toMatchObject({ id: '', role: null, status: 'none', origin: null, lastSeen: null, name: 'Frank', reason: 'active in the roster, no account in sigma' });
  expect(out.some((r) => r.app === 'stitch' && r.verdict === 'missing')).toBe(false);
  expect(counts.stitch).toEqual({ orphaned: 0, active_ok: 0, disabled_ok: 1, unknown_account: 0, missing: 0 });
  expect(counts.sigma?.missing).toBe(1);
});

test('an app with no accounts at all lists every active person as missing, and an inactive account is not "missing"', () => {
  const { rows: out } = reconcile([row('sigma', 'frank@x.com', 'inactive')], [complete('empty', 0), complete('sigma', 1)], roster, { now: NOW });
  expect(out.filter((r) => r.app === 'empty').map((r) => r.email)).toEqual(['alice@x.com', 'frank@x.com']);
  expect(out.filter((r) => r.app === 'sigma' && r.verdict === 'missing').map((r) => r.email)).toEqual(['alice@x.com']);
});

test('aliases of one person in one app are reconciled separately: each alias of a leaver is an orphan', () => {
  const rows = [row('sigma', 'bob@x.com', 'active', '1'), row('sigma', 'BOB+test@x.com', 'active', '2'), row('sigma', 'bob+old@x.com', 'inactive', '3')];
  const { orphans, rows: out } = reconcile(rows, [complete('sigma', 3)], roster, { now: NOW });
  expect(orphans.map((r) => r.id).sort()).toEqual(['1', '2']);
  expect(out.find((r) => r.id === '3')?.verdict).toBe('disabled_ok');
});

test('rows sorted by verdict (orphaned, unknown, active, disabled, missing) then app then email; orphans are the orphaned rows', () => {
  const rows = [
    row('b-app', 'alice@x.com', 'active'),
    row('b-app', 'zed@x.com', 'active'),
    row('a-app', 'frank@x.com', 'inactive'),
    row('a-app', 'ghost@x.com', 'inactive'),
    row('a-app', 'bob@x.com', 'active'),
    row('b-app', 'frank@x.com', 'active'),
  ];
  const { rows: out, orphans } = reconcile(rows, [complete('a-app', 3), complete('b-app', 3)], roster, { now: NOW });
  expect(out.map((r) => `${r.verdict} ${r.app} ${r.email}`)).toEqual([
    'orphaned a-app bob@x.com',
    'orphaned b-app zed@x.com',
    'unknown_account a-app ghost@x.com',
    'active_ok b-app alice@x.com',
    'active_ok b-app frank@x.com',
    'disabled_ok a-app frank@x.com',
    'missing a-app alice@x.com',
  ]);
  expect(orphans).toEqual(out.filter((r) => r.verdict === 'orphaned'));
});

test('the termination date is compared with today: the same roster row flips on the day', () => {
  const rows = [row('sigma', 'dan@x.com', 'active')];
  const before = reconcile(rows, [complete('sigma', 1)], roster, { now: new Date('2026-12-30T23:59:59Z') });
  const on = reconcile(rows, [complete('sigma', 1)], roster, { now: new Date('2026-12-31T00:00:00Z') });
  expect(before.rows.find((r) => r.email === 'dan@x.com')?.verdict).toBe('active_ok');
  expect(on.rows.find((r) => r.email === 'dan@x.com')?.verdict).toBe('orphaned');
});
