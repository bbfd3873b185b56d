import path from 'node:path';

/**
 * Where one job's evidence, reports and review files live with the files artifact store
 * (the default): `<dataDir>/jobs/<jobId>`. That store asks here, and so do the CLI's
 * messages that print a folder a person can open, so the layout is decided once.
 */
export function jobDir(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'jobs', jobId);
}

/**
 * Local working space under the data dir (owner-only, like the rest of it) for files
 * that become artifacts only once finished: a raw Playwright trace before it is
 * scrubbed, a review's outputs while they are streamed. Whatever the artifact store,
 * nothing here is evidence, and each writer removes its own files.
 */
export function scratchDir(dataDir: string): string {
  return path.join(dataDir, 'scratch');
}
