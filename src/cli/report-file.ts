import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { jobDir } from '../audit/job-folder.js';
import type { LoadedConfig } from '../config/load-config.js';
import { writePrivateFile } from '../fs/private-files.js';
import type { WrittenReport } from '../report/write-report.js';

/**
 * The report as a file a person at this terminal can open. With the files artifact
 * store it is the stored file itself; with a shared store (PostgreSQL) a private copy
 * under `<dataDir>/reports/<jobId>/`, since the stored one is not on this disk.
 */
export async function reportFile(config: LoadedConfig, jobId: string, report: WrittenReport): Promise<string> {
  if (config.artifacts.kind === 'files') return path.join(jobDir(config.dataDir, jobId), report.path);
  const dir = path.join(config.dataDir, 'reports', jobId);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, report.path);
  await writePrivateFile(file, report.html);
  return file;
}
