import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SeatctlError } from '../errors/index.js';

/** Only regular files inside the job's folder; `..`, absolute paths and symlinks out are refused. */
export async function safeArtifactPath(root: string, requested: string): Promise<string> {
  const decoded = requested.replace(/\\/g, '/');
  if (!decoded || decoded.includes('\0') || decoded.split('/').some((p) => p === '..' || p === '') || path.isAbsolute(decoded)) {
    throw new SeatctlError('USAGE', 'artifact path: not a path inside the job folder', { details: { field: 'path' } });
  }
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(root);
    real = await realpath(path.join(root, decoded));
  } catch {
    throw new SeatctlError('ARTIFACT_NOT_FOUND', 'no such artifact');
  }
  if (!real.startsWith(realRoot + path.sep)) throw new SeatctlError('USAGE', 'artifact path: not a path inside the job folder', { details: { field: 'path' } });
  if (!(await stat(real)).isFile()) throw new SeatctlError('ARTIFACT_NOT_FOUND', 'no such artifact');
  return real;
}

/** The Content-Type an evidence file is served with (never sniffed: callers add nosniff). */
export function artifactContentType(file: string): string {
  if (file.endsWith('.jpg')) return 'image/jpeg';
  if (file.endsWith('.png')) return 'image/png';
  if (file.endsWith('.json')) return 'application/json';
  if (file.endsWith('.zip')) return 'application/zip';
  if (file.endsWith('.html')) return 'text/html; charset=utf-8';
  return 'application/octet-stream';
}
