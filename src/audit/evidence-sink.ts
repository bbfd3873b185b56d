import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceSink } from '../drivers/driver.js';
import { SeatctlError } from '../errors/index.js';
import type { Redactor } from '../log/redactor.js';
import type { EvidenceItem, FileEvidence } from '../model/index.js';

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Evidence is append-only: a file once written and hashed is never replaced, so the
 * file is created exclusively ('wx') and an existing one is a typed error, not a silent
 * overwrite of what an earlier attempt or process recorded.
 */
export async function writeNew(file: string, content: Buffer | string): Promise<void> {
  try {
    await writeFile(file, content, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SeatctlError('EVIDENCE_EXISTS', `evidence file ${path.basename(file)} already exists; evidence is never overwritten`, { details: { file: path.basename(file) }, cause: err });
    }
    throw err;
  }
}

/**
 * One task's evidence: request records and notes in memory, artifact files on disk
 * under `<dataDir>/jobs/<jobId>/<taskId>/`, owner-only, each with its SHA-256.
 * Text artifacts are scrubbed of known secrets before they are written.
 */
export function createEvidenceSink(dir: string, redactor: Redactor, earlier: readonly EvidenceItem[] = []): EvidenceSink & { writeRecord(): Promise<string> } {
  // A task planned in one process and applied in another keeps one trail: earlier
  // items stay, and file numbering continues after them.
  const items: EvidenceItem[] = [...earlier];
  let counter = earlier.filter((i) => 'path' in i).length;
  const ensureDir = () => mkdir(dir, { recursive: true, mode: 0o700 });
  return {
    dir,
    items,
    add(item) {
      items.push(item);
    },
    note(text) {
      items.push({ kind: 'note', at: new Date().toISOString(), text: redactor.scrub(text) });
    },
    async saveFile(name, data, kind, caption) {
      await ensureDir();
      counter += 1;
      const safe = `${String(counter).padStart(2, '0')}-${name.replace(/[^a-zA-Z0-9._-]+/g, '_')}`;
      const content = typeof data === 'string' ? redactor.scrub(data) : data;
      await writeNew(path.join(dir, safe), content);
      const file: FileEvidence = { kind, at: new Date().toISOString(), path: safe, sha256: sha256(content), caption };
      items.push(file);
      return file;
    },
    /** evidence.json: every item, with file hashes, for reports and later verification. */
    async writeRecord() {
      await ensureDir();
      const file = path.join(dir, 'evidence.json');
      await writeFile(file, JSON.stringify(redactor.scrubDeep(items), null, 2), { mode: 0o600 });
      return file;
    },
  };
}
