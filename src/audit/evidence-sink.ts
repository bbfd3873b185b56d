import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EvidenceSink } from '../drivers/driver.js';
import type { Redactor } from '../log/redactor.js';
import type { EvidenceItem, FileEvidence } from '../model/index.js';
import { writePrivateFile } from '../fs/private-files.js';

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

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
    async saveFile(name, data, kind, caption, meta) {
      await ensureDir();
      const content = typeof data === 'string' ? redactor.scrub(data) : data;
      // Evidence is append-only: 'wx' refuses an existing file. A process killed before
      // it recorded its files leaves numbers the record does not know: skip past them.
      let safe: string;
      for (;;) {
        counter += 1;
        safe = `${String(counter).padStart(2, '0')}-${name.replace(/[^a-zA-Z0-9._-]+/g, '_')}`;
        try {
          await writeFile(path.join(dir, safe), content, { mode: 0o600, flag: 'wx' });
          break;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
      }
      const file: FileEvidence = { kind, at: new Date().toISOString(), path: safe, sha256: sha256(content), caption, ...meta };
      items.push(file);
      return file;
    },
    /** evidence.json: every item, with file hashes, for reports and later verification. */
    async writeRecord() {
      await ensureDir();
      const file = path.join(dir, 'evidence.json');
      await writePrivateFile(file, JSON.stringify(redactor.scrubDeep(items), null, 2));
      return file;
    },
  };
}
