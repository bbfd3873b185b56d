import { reconcile } from '../../src/review/reconcile.js';
import type { ReviewResult } from '../../src/review/review-output.js';
import type { AppReview, ReviewRow } from '../../src/review/review-rows.js';
import { parseRoster } from '../../src/review/roster.js';

/**
 * A real-size access review for layout checks: `people` accounts in each of four apps,
 * with realistic long values (Bill.com-shaped 20-character ids, long names and emails,
 * ISO timestamps), a roster that terminated some people and lacks others, and roster
 * people who have no account in an app ("missing" rows).
 */
export function bigReview(people = 10_000, now = new Date('2026-11-30T12:00:00Z')): ReviewResult {
  const apps = ['bigid', 'sigma', 'stitch', 'billcom'];
  const rows: ReviewRow[] = [];
  const rosterLines = ['email,name,status,termination_date,manager'];
  for (let i = 0; i < people; i++) {
    const email = `firstname.middlename-lastname.${String(i).padStart(5, '0')}@subsidiary.example-corporation.com`;
    const name = `Firstname Middlename Lastname-Doublebarrel ${i}`;
    const terminated = i % 50 === 0;
    if (i % 40 !== 7) rosterLines.push(`${email},${name},${terminated ? 'terminated' : 'active'},${terminated ? '2026-09-01' : ''},manager.${i % 97}@example-corporation.com`);
    for (const [a, app] of apps.entries()) {
      if ((i + a) % 9 === 0) continue; // no account here: a "missing" row when on the roster
      rows.push({
        app,
        id: `00601${String(i * 4 + a).padStart(15, 'A')}`,
        email,
        name,
        role: ['Administrator', 'Accountant Manager', 'General User', 'Viewer'][(i + a) % 4]!,
        status: i % 13 === 0 ? 'deactivated' : 'active',
        origin: a % 2 ? 'saml' : 'local',
        lastSeen: new Date(now.getTime() - (i % 300) * 86_400_000).toISOString(),
      });
    }
  }
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.app, (counts.get(r.app) ?? 0) + 1);
  const appReviews: AppReview[] = apps.map((app) => ({ app, complete: true, count: counts.get(app) ?? 0 }));
  const roster = parseRoster(rosterLines.join('\n'), { source: 'hr-roster-2026-11-30.csv' });
  return {
    id: 'review_layout',
    generatedAt: now.toISOString(),
    apps: appReviews,
    rows,
    reconciliation: reconcile(rows, appReviews, roster, { now }),
    includeInactive: true,
    rosterSource: roster.source,
  };
}
