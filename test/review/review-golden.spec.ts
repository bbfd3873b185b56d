import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppUser, ReviewRequest } from '../../src/model/index.js';
import { orphanTargets, runReview } from '../../src/review/run-review.js';
import { syntheticRuntime, type SyntheticApp } from '../support/synthetic-listing.js';

/**
 * Issue 12 item 8 (stream the listing to disk): a review's files are exactly what the
 * in-memory implementation wrote before the listing moved to disk. The expected
 * SHA-256s in golden/review-golden.json were produced by that implementation (commit
 * "Golden review outputs from the in-memory path") over this same synthetic listing:
 * three apps read in turn, one failing part-way, ~3,000 accounts with hostile and
 * ordering-sensitive strings (case variants, `+tags`, astral vs BMP characters, lone
 * surrogates, NUL, markup, formula prefixes, bidi overrides, duplicate ids), reconciled
 * against a roster with every verdict, and once without a roster.
 * `UPDATE_REVIEW_GOLDEN=1` rewrites the file (only ever from a trusted implementation);
 * the files of each run are kept in the test's output folder for diffing.
 */
const GOLDEN = path.join(import.meta.dirname, 'golden', 'review-golden.json');
const NOW = new Date('2026-11-30T12:00:00Z');

/** A small deterministic generator: the listing is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TRAPS = ['<img src=x onerror=alert(1)>', '=HYPERLINK("http://evil.example","x")', '\u202eevil.exe', 'a,b "c"\nd', ' padded ', 'lone \ud800 high', 'lone \udfff low', '😀 grin', '\uff01 bang', 'nul\u0000x', 'İstanbul', 'ǅemal', 'Straße', "o'brien`", '+1', '-1', '@x', '\ttab', 'x\r\ny'];
const EMAIL_TRAPS = ['Zed@X.com', 'zed@x.com', 'İnci@example.com', '😀@example.com', '\uff01@example.com', 'lone\ud800@example.com', 'bob+tag@example.com', 'BOB@example.com', '=cmd|calc@example.com', '<b>@example.com', 'Straße@example.com', 'STRASSE@example.com'];
const STATUSES = ['active', 'active', 'active', 'inactive', 'archived', 'invited', 'pending', 'suspended'];

function listing(): { apps: Record<string, SyntheticApp>; roster: string } {
  const rand = rng(12);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const people: string[] = [];
  for (let i = 0; i < 1_100; i += 1) people.push(rand() < 0.04 ? pick(EMAIL_TRAPS) : `${rand() < 0.2 ? 'Person' : 'person'}.${i}${rand() < 0.05 ? '+alias' : ''}@example.com`);
  people.push(...EMAIL_TRAPS);
  const rosterLines = ['email,name,status,termination_date,manager'];
  const inRoster = new Set<string>();
  for (const [i, email] of people.entries()) {
    const key = email.toLowerCase().replace(/\+[^@]*@/, '@');
    if (rand() < 0.15 || inRoster.has(key) || /[\s<>(),;:"]/.test(email)) continue;
    inRoster.add(key);
    const r = rand();
    const status = r < 0.7 ? 'active' : 'terminated';
    const date = status === 'terminated' ? pick(['', '2026-01-31', '2026-11-30', '2026-12-01', '2027-03-01']) : rand() < 0.05 ? '2026-02-02' : '';
    const manager = rand() < 0.5 ? '' : rand() < 0.2 ? '<script>boss</script>' : `boss.${i % 7}@example.com`;
    const name = rand() < 0.1 ? `"${pick(TRAPS).replace(/"/g, '""')}"` : `Person ${i}`;
    rosterLines.push(`${email.replace(/\+[^@]*@/, '@')},${name},${status},${date},${manager.includes('<') ? `"${manager}"` : manager}`);
  }
  // Someone active in the roster with no account anywhere: a "missing" row per complete app.
  rosterLines.push('nobody.here@example.com,Nobody Here,active,,');
  const apps: Record<string, SyntheticApp> = {};
  for (const [a, app] of ['alpha', 'beta', 'gamma'].entries()) {
    const users: AppUser[] = [];
    for (const [i, email] of people.entries()) {
      if (rand() < 0.12) continue;
      const copies = rand() < 0.03 ? 2 : 1;
      for (let c = 0; c < copies; c += 1) {
        users.push({
          app,
          id: rand() < 0.02 ? pick(['', 'dup-id', '😀', '\uff01', 'lone\udc00']) : `${app}-${(i * 7 + a) % 997}-${c}`,
          email: rand() < 0.1 ? email.toUpperCase() : email,
          name: rand() < 0.08 ? pick(TRAPS) : `Person ${i}`,
          role: rand() < 0.1 ? null : rand() < 0.05 ? pick(TRAPS) : pick(['Admin', 'Viewer', 'Member']),
          status: pick(STATUSES) as AppUser['status'],
          origin: rand() < 0.3 ? null : pick(['scim', 'local', 'saml']),
          ...(rand() < 0.2 ? {} : { lastSeen: rand() < 0.5 ? null : `2026-${String(1 + (i % 11)).padStart(2, '0')}-01T00:00:00Z` }),
          raw: null,
        });
      }
    }
    const size = 400;
    const pages: AppUser[][] = [];
    for (let p = 0; p < users.length; p += size) pages.push(users.slice(p, p + size));
    // gamma fails after its first two pages: incomplete, and nobody is "missing" from it.
    apps[app] = app === 'gamma' ? { pages: pages.slice(0, 2), failAfterPages: 'UPSTREAM_UNAVAILABLE' } : { pages };
  }
  return { apps, roster: rosterLines.join('\r\n') + '\r\n' };
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

async function reviewFiles(withRoster: boolean, outDir: string): Promise<Record<string, string>> {
  const { apps, roster } = listing();
  const { runtime } = syntheticRuntime(apps);
  try {
    const request: ReviewRequest = {
      kind: 'review',
      apps: 'all',
      includeInactive: false,
      offboardOrphans: withRoster,
      ...(withRoster ? { roster: { csv: roster, source: 'hr <roster>.csv' } } : {}),
    };
    const { result, summary } = await runReview(runtime, request, { dir: outDir, now: NOW });
    const files: Record<string, string> = {};
    const id = (JSON.parse(readFileSync(path.join(outDir, 'review.json'), 'utf8')) as { review: { id: string } }).review.id;
    for (const f of ['review.csv', 'review.json', 'review.html']) {
      // The review id is random: the only part that differs between runs.
      const text = readFileSync(path.join(outDir, f), 'utf8').split(id).join('review_GOLDEN');
      writeFileSync(path.join(outDir, `${f}.normalised`), text);
      files[f] = sha(Buffer.from(text, 'utf8'));
    }
    const { artifacts: _artifacts, ...rest } = summary;
    files.summary = sha(JSON.stringify(rest));
    files.targets = sha(JSON.stringify(result.reconciliation ? orphanTargets(result.reconciliation) : null));
    return files;
  } finally {
    await runtime.close();
  }
}

test('resource use #8: a review streamed through disk writes exactly the files the in-memory review wrote', async ({}, testInfo) => {
  test.setTimeout(120_000);
  const got: Record<string, Record<string, string>> = {};
  for (const withRoster of [true, false]) {
    const out = process.env.UPDATE_REVIEW_GOLDEN ? path.join(os.tmpdir(), `review-golden-${withRoster ? 'reconciled' : 'listing'}`) : testInfo.outputPath(withRoster ? 'reconciled' : 'listing');
    mkdirSync(out, { recursive: true });
    got[withRoster ? 'reconciled' : 'listing'] = await reviewFiles(withRoster, out);
  }
  if (process.env.UPDATE_REVIEW_GOLDEN) writeFileSync(GOLDEN, JSON.stringify(got, null, 2) + '\n');
  expect(got).toEqual(JSON.parse(readFileSync(GOLDEN, 'utf8')));
});
