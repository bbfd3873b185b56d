import { normalizeEmail } from '../model/index.js';
import type { JobStatus } from '../model/index.js';
import type { JobStore, ListFilter, StoredJob } from '../store/index.js';

export interface ConsoleListFilter {
  status?: JobStatus | undefined;
  email?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const hasPerson = (s: StoredJob, email: string) => s.job.tasks.some((t) => normalizeEmail(t.subject.email) === email);

/**
 * A page of jobs for the console. The email goes to the store, which filters by it
 * where it can (`ListFilter.email`); the page is filtered here as well, so a store
 * without that filter still shows only matching jobs (a page may then be short, and
 * the "older" link still pages through the rest).
 */
export async function listJobs(store: JobStore, f: ConsoleListFilter): Promise<{ jobs: StoredJob[]; nextCursor: string | null }> {
  const email = f.email ? normalizeEmail(f.email) : undefined;
  const filter: ListFilter & { email?: string } = { status: f.status, cursor: f.cursor, limit: f.limit, ...(email ? { email } : {}) };
  const page = await store.list(filter);
  return { jobs: email ? page.jobs.filter((s) => hasPerson(s, email)) : page.jobs, nextCursor: page.nextCursor };
}
