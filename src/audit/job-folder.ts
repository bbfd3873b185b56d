import path from 'node:path';

/**
 * Where one job's evidence, reports and review files live: `<dataDir>/jobs/<jobId>`.
 * Everything that writes or serves a job's files (task evidence, reports, review
 * outputs, the service's artifact routes) asks here, so the layout is decided once.
 */
export function jobDir(dataDir: string, jobId: string): string {
  return path.join(dataDir, 'jobs', jobId);
}
