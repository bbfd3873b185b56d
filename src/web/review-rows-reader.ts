import type { ArtifactStore } from '../audit/artifact-store.js';

/** One row of a stored review as the console lists it (reconciled columns when a roster was given). */
export interface ReviewListRow {
  app: string;
  email: string;
  name: string;
  role: string | null;
  status: string;
  lastSeen: string | null;
  verdict?: string;
  reason?: string;
}

export interface ReviewRowFilter {
  app?: string | undefined;
  verdict?: string | undefined;
  /** Case-insensitive substring of the email. */
  email?: string | undefined;
}

export interface ReviewRowsPage {
  rows: ReviewListRow[];
  /** Rows matching the filter, over all pages. */
  total: number;
  apps: string[];
  verdicts: string[];
}

interface Loaded {
  key: string;
  rows: ReviewListRow[];
  /** Lower-cased emails, parallel to rows: filtering never lower-cases per request. */
  emails: string[];
  apps: string[];
  verdicts: string[];
}

/** Parsed reviews by job id; a handful is plenty (a page is viewed, then the next). */
const CACHE_SIZE = 4;
const cache = new Map<string, Loaded>();

/**
 * A page of a finished review's rows. The review's review.json is parsed once and kept
 * (keyed by the store's version of the file, so a rewritten file is read again), after which each page
 * is a filter over arrays in memory: 40,000 rows filter in a few milliseconds. This is
 * the one function the console reads reviews through, so moving listings onto a
 * per-job SQLite file changes only this body.
 */
export async function readReviewRows(artifacts: ArtifactStore, jobId: string, filter: ReviewRowFilter, offset: number, limit: number): Promise<ReviewRowsPage | null> {
  const loaded = await load(artifacts, jobId);
  if (!loaded) return null;
  const email = filter.email?.trim().toLowerCase();
  const matched: ReviewListRow[] = [];
  let total = 0;
  for (let i = 0; i < loaded.rows.length; i++) {
    const r = loaded.rows[i]!;
    if (filter.app && r.app !== filter.app) continue;
    if (filter.verdict && r.verdict !== filter.verdict) continue;
    if (email && !loaded.emails[i]!.includes(email)) continue;
    if (total >= offset && matched.length < limit) matched.push(r);
    total++;
  }
  return { rows: matched, total, apps: loaded.apps, verdicts: loaded.verdicts };
}

async function load(artifacts: ArtifactStore, jobId: string): Promise<Loaded | null> {
  const info = await artifacts.stat(jobId, 'review.json');
  if (!info) return null;
  const key = info.version;
  const hit = cache.get(jobId);
  if (hit?.key === key) {
    // Most recently used last, so the oldest is evicted first.
    cache.delete(jobId);
    cache.set(jobId, hit);
    return hit;
  }
  const data = await artifacts.get(jobId, 'review.json');
  if (!data) return null;
  const parsed = JSON.parse(data.toString('utf8')) as { review?: { rows?: Record<string, unknown>[] } };
  const rows: ReviewListRow[] = (parsed.review?.rows ?? []).map((r) => ({
    app: String(r.app ?? ''),
    email: String(r.email ?? ''),
    name: String(r.name ?? ''),
    role: r.role == null ? null : String(r.role),
    status: String(r.status ?? ''),
    lastSeen: r.lastSeen == null ? null : String(r.lastSeen),
    ...(typeof r.verdict === 'string' ? { verdict: r.verdict } : {}),
    ...(typeof r.reason === 'string' ? { reason: r.reason } : {}),
  }));
  const loaded: Loaded = {
    key,
    rows,
    emails: rows.map((r) => r.email.toLowerCase()),
    apps: [...new Set(rows.map((r) => r.app))].sort(),
    verdicts: [...new Set(rows.flatMap((r) => (r.verdict ? [r.verdict] : [])))].sort(),
  };
  cache.set(jobId, loaded);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return loaded;
}
