import path from 'node:path';
import type { EvidenceSink } from '../drivers/driver.js';
import type { Redactor } from '../log/redactor.js';
import type { EvidenceItem, FileEvidence } from '../model/index.js';
import { SeatctlError } from '../errors/index.js';
import { sha256Of, type ArtifactStore } from './artifact-store.js';
import { createFileArtifactStore } from './file-artifact-store.js';

export const sha256 = sha256Of;

/** Where one task's evidence goes: `<taskId>/<file>` under its job in an artifact store. */
export interface EvidenceTarget {
  store: ArtifactStore;
  jobId: string;
  /** The task's folder inside the job (`t01-stitch`), or '' for a plain folder. */
  taskId: string;
  /** A private local folder for files a tool must write itself before they become evidence (traces). */
  scratchDir: string;
}

/**
 * A plain local folder as an evidence target (smoke runs, tests that call drivers
 * directly): the files store with the folder as its only "job".
 */
export function folderEvidenceTarget(dir: string): EvidenceTarget {
  return { store: createFileArtifactStore({ jobFolder: () => dir }), jobId: 'local', taskId: '', scratchDir: dir };
}

/**
 * One task's evidence: request records and notes in memory, artifact files in the
 * artifact store (by default `<dataDir>/jobs/<jobId>/<taskId>/`, owner-only), each with
 * its SHA-256. Text artifacts are scrubbed of known secrets before they are stored.
 */
export function createEvidenceSink(where: EvidenceTarget | string, redactor: Redactor, earlier: readonly EvidenceItem[] = []): EvidenceSink & { writeRecord(): Promise<string> } {
  const target = typeof where === 'string' ? folderEvidenceTarget(where) : where;
  const key = (name: string) => (target.taskId ? `${target.taskId}/${name}` : name);
  // A task planned in one process and applied in another keeps one trail: earlier
  // items stay, and file numbering continues after them.
  const items: EvidenceItem[] = [...earlier];
  let counter = earlier.filter((i) => 'path' in i).length;
  return {
    scratchDir: target.scratchDir,
    items,
    add(item) {
      items.push(item);
    },
    note(text) {
      items.push({ kind: 'note', at: new Date().toISOString(), text: redactor.scrub(text) });
    },
    async saveFile(name, data, kind, caption, meta) {
      const content = typeof data === 'string' ? redactor.scrub(data) : data;
      // Evidence is append-only: the store refuses other bytes under an existing name. A
      // process killed before it recorded its files leaves numbers the record does not
      // know: skip past them.
      let safe: string;
      let stored;
      for (;;) {
        counter += 1;
        safe = `${String(counter).padStart(2, '0')}-${name.replace(/[^a-zA-Z0-9._-]+/g, '_')}`;
        try {
          stored = await target.store.put(target.jobId, key(safe), content);
          break;
        } catch (err) {
          if (!(err instanceof SeatctlError && err.code === 'ARTIFACT_EXISTS')) throw err;
        }
      }
      const file: FileEvidence = { kind, at: new Date().toISOString(), path: safe, sha256: stored.sha256, caption, ...meta };
      items.push(file);
      return file;
    },
    /** evidence.json: every item, with file hashes, for reports and later verification; rewritten after each phase. */
    async writeRecord() {
      const stored = await target.store.replace(target.jobId, key('evidence.json'), JSON.stringify(redactor.scrubDeep(items), null, 2));
      return path.join(target.taskId, stored.path.split('/').pop()!);
    },
  };
}
