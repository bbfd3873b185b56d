import { test, expect } from '@playwright/test';
import { reconcile } from '../../src/review/reconcile.js';
import { isComplete, renderReview, renderReviewCsv, renderReviewHtml, renderReviewJson, type ReviewResult } from '../../src/review/review-output.js';
import type { AppReview, ReviewRow } from '../../src/review/review-rows.js';
import { parseCsv } from '../../src/review/csv-parse.js';
import { parseRoster } from '../../src/review/roster.js';

const NOW = new Date('2026-10-01T12:00:00Z');

const row = (app: string, email: string, name: string, status = 'active', id = `${app}:${email}`): ReviewRow => ({
  app,
  id,
  email,
  name,
  role: 'member',
  status,
  origin: null,
  lastSeen: null,
});

const roster = parseRoster(
  ['email,name,status,termination_date,manager', 'alice@x.com,Alice,active,,', 'bob@x.com,Bob,terminated,2026-09-01,boss@x.com', 'carol@x.com,Carol,active,,'].join('\n'),
  { source: 'hr.csv' },
);

function result(rows: ReviewRow[], apps: AppReview[], withRoster = true): ReviewResult {
  return {
    id: 'review_test1',
    generatedAt: NOW.toISOString(),
    apps,
    rows,
    reconciliation: withRoster ? reconcile(rows, apps, roster, { now: NOW }) : null,
    includeInactive: false,
    rosterSource: withRoster ? roster.source : null,
  };
}

const complete = (app: string, count: number): AppReview => ({ app, complete: true, count });

test.describe('CSV', () => {
  test('formula-starting cells (= + - @ tab CR) in names and emails are neutralised', () => {
    const starts = ['=HYPERLINK("http://evil","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'];
    const rows = starts.map((s, i) => row('sigma', `${s}@x.com`, s, 'active', String(i)));
    const csv = renderReviewCsv(result(rows, [complete('sigma', rows.length)], false));
    const parsed = parseCsv(csv).rows;
    expect(parsed[0]).toEqual(['app', 'id', 'email', 'name', 'role', 'status', 'origin', 'lastSeen']);
    const data = parsed.slice(1);
    expect(data).toHaveLength(starts.length);
    for (const [i, s] of starts.entries()) {
      const r = data.find((d) => d[1] === String(i))!;
      expect(r[2]).toBe(`'${s}@x.com`);
      expect(r[3]).toBe(`'${s}`);
    }
    // No cell of the file starts with a formula character once unquoted.
    expect(data.flat().filter((c) => /^[=+\-@\t\r]/.test(c))).toEqual([]);
  });

  test('reconciled CSV: header first, then the verdict columns, orphans first', () => {
    const rows = [row('sigma', 'alice@x.com', 'Alice'), row('sigma', 'bob@x.com', '=cmd|"/c calc"!A1')];
    const csv = renderReviewCsv(result(rows, [complete('sigma', 2)]));
    expect(csv.startsWith('app,id,email,name,role,status,origin,lastSeen,verdict,reason,rosterStatus,terminationDate,manager\r\n')).toBe(true);
    const parsed = parseCsv(csv).rows;
    expect(parsed.slice(1)).toEqual([
      ['sigma', 'sigma:bob@x.com', 'bob@x.com', `'=cmd|"/c calc"!A1`, 'member', 'active', '', '', 'orphaned', 'terminated 2026-09-01 (manager: boss@x.com)', 'terminated', '2026-09-01', 'boss@x.com'],
      ['sigma', 'sigma:alice@x.com', 'alice@x.com', 'Alice', 'member', 'active', '', '', 'active_ok', 'active in the roster', 'active', '', ''],
      ['sigma', '', 'carol@x.com', 'Carol', '', 'none', '', '', 'missing', 'active in the roster, no account in sigma', 'active', '', ''],
    ]);
    expect(renderReview(result(rows, [complete('sigma', 2)]), 'csv')).toBe(csv);
  });
});

test.describe('JSON', () => {
  test('shape: review with id, generatedAt, complete, apps, counts and reconciled rows', () => {
    const apps: AppReview[] = [complete('sigma', 1), { app: 'stitch', complete: false, count: 0, error: { code: 'NETWORK', message: 'reset' } }];
    const json = renderReviewJson(result([row('sigma', 'bob@x.com', 'Bob')], apps));
    expect(json.endsWith('\n')).toBe(true);
    const { review } = JSON.parse(json);
    expect(review).toMatchObject({ id: 'review_test1', generatedAt: NOW.toISOString(), complete: false, apps });
    expect(review.counts.sigma).toEqual({ orphaned: 1, active_ok: 0, disabled_ok: 0, unknown_account: 0, missing: 2 });
    expect(review.rows[0]).toMatchObject({ email: 'bob@x.com', verdict: 'orphaned', person: { status: 'terminated' } });
  });

  test('without a roster: plain rows and no counts', () => {
    const r = result([row('sigma', 'bob@x.com', 'Bob')], [complete('sigma', 1)], false);
    const { review } = JSON.parse(renderReview(r, 'json'));
    expect(review.complete).toBe(true);
    expect(review.counts).toBeUndefined();
    expect(review.rows).toEqual(r.rows);
    expect(isComplete(r)).toBe(true);
  });
});

test.describe('HTML', () => {
  const hostile = [row('sigma', 'eve@x.com', '<img src=x onerror=alert(1)>'), row('sigma', 'mallory@x.com', '"><script>alert(2)</script>')];

  test('user-supplied text is escaped: no raw tags, the escaped text is there', () => {
    const page = renderReviewHtml(result(hostile, [complete('sigma', 2)]));
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
  });

  test('error messages and app names are escaped too; app class names are sanitised', () => {
    const apps: AppReview[] = [{ app: 'ev"il <b>app', complete: false, count: 1000, error: { code: 'UPSTREAM_UNAVAILABLE', message: '<b>503</b> from "upstream"' } }];
    const page = renderReviewHtml(result([row('ev"il <b>app', 'zed@x.com', 'Zed')], apps));
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;b&gt;503&lt;/b&gt; from &quot;upstream&quot;');
    expect(page).toContain('id="a-0-ev-il-b-app"');
    expect(page).toContain('#a-0-ev-il-b-app:checked~.table-wrap tr.r:not(.a-0-ev-il-b-app){display:none}');
    for (const cls of page.matchAll(/class="([^"]*)"/g)) expect(cls[1]).toMatch(/^[a-z0-9_ -]*$/);
  });

  test('the INCOMPLETE banner appears exactly when an app is incomplete, with count, code and message', () => {
    const ok = renderReviewHtml(result([row('sigma', 'alice@x.com', 'Alice')], [complete('sigma', 1), complete('bigid', 0)]));
    expect(ok).not.toContain('incomplete-banner"');
    expect(ok).not.toContain('INCOMPLETE');

    const apps: AppReview[] = [complete('bigid', 0), { app: 'sigma', complete: false, count: 1000, error: { code: 'UPSTREAM_UNAVAILABLE', message: '503 Service Unavailable' } }];
    const bad = renderReviewHtml(result([row('sigma', 'alice@x.com', 'Alice')], apps));
    expect(bad.match(/class="incomplete-banner"/g)).toHaveLength(1);
    expect(bad).toContain('<strong>INCOMPLETE:</strong> sigma failed after 1,000 users: <code>UPSTREAM_UNAVAILABLE</code> 503 Service Unavailable');
    expect(bad).not.toContain('INCOMPLETE:</strong> bigid');
    expect(bad).toMatch(/<title>[^<]*INCOMPLETE<\/title>/);
    // The banner comes before any table.
    expect(bad.indexOf('incomplete-banner')).toBeLessThan(bad.indexOf('<table'));
    // Without a roster the banner is there as well.
    expect(renderReviewHtml(result([], apps, false))).toContain('<strong>INCOMPLETE:</strong> sigma failed after 1,000 users');
  });

  test('the orphan section comes first and lists exactly the orphans', () => {
    const rows = [
      row('sigma', 'alice@x.com', 'Alice'),
      row('sigma', 'bob@x.com', 'Bob'),
      row('stitch', 'bob@x.com', 'Bob', 'inactive'),
      row('stitch', 'stranger@x.com', 'Stranger', 'invited'),
    ];
    const r = result(rows, [complete('sigma', 2), complete('stitch', 2)]);
    const page = renderReviewHtml(r);
    const orphanSection = page.slice(page.indexOf('<section id="orphans">'), page.indexOf('</section>', page.indexOf('<section id="orphans">')));
    expect(orphanSection).toContain('Orphaned accounts (<span id="orphan-count">2</span>)');
    const listed = [...orphanSection.matchAll(/<tr class="orphan"><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => `${m[1]}/${m[2]}`);
    expect(listed).toEqual(['sigma/bob@x.com', 'stitch/stranger@x.com']);
    expect(orphanSection).toContain('not in the roster');
    expect(orphanSection).toContain('terminated 2026-09-01 (manager: boss@x.com)');
    expect(page.indexOf('<section id="orphans">')).toBeLessThan(page.indexOf('<section id="all">'));
    // The full table has every row, each tagged with its verdict class for the filters.
    const allSection = page.slice(page.indexOf('<section id="all">'));
    expect(allSection.match(/<tr class="r v-/g)).toHaveLength(r.reconciliation!.rows.length);
    expect(allSection.match(/<tr class="r v-orphaned /g)).toHaveLength(2);
  });

  test('self-contained, script-free, and the filters are pure CSS with "all" checked by default', () => {
    const page = renderReview(result(hostile, [complete('sigma', 2)]), 'html');
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    // No script, no external resource, no event-handler attribute on any tag.
    expect(page).not.toMatch(/<script|<link|<img|<iframe|javascript:|url\(|@import/i);
    expect(page).not.toMatch(/<[a-z][^>]*\s(src|href)=/i);
    expect(page).not.toMatch(/<[a-z][^>]*\son[a-z]+=/i);
    // Default: the accounts that exist; "missing" rows (people without one) one click away.
    expect(page).toContain('<input type="radio" name="v" id="v-accounts" checked>');
    expect(page).toContain('#v-accounts:checked~.table-wrap tr.r.v-missing{display:none}');
    expect(page).toContain('<input type="radio" name="v" id="v-all">');
    expect(page).toContain('<input type="radio" name="a" id="a-all" checked>');
    for (const v of ['orphaned', 'unknown_account', 'active_ok', 'disabled_ok', 'missing']) {
      expect(page).toContain(`<input type="radio" name="v" id="v-${v}">`);
      expect(page).toContain(`#v-${v}:checked~.table-wrap tr.r:not(.v-${v}){display:none}`);
    }
    expect(page.match(/checked>/g)).toHaveLength(2);
  });

  test('without a roster: no verdict filter, and the orphan section says a roster is needed', () => {
    const page = renderReviewHtml(result([row('sigma', 'alice@x.com', 'Alice')], [complete('sigma', 1)], false));
    expect(page).not.toContain('name="v"');
    expect(page).toContain('No roster was given');
    expect(page).toContain('<input type="radio" name="a" id="a-0-sigma">');
  });
});
