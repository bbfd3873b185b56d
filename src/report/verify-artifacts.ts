import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ArtifactStore } from '../audit/artifact-store.js';
import type { Task } from '../model/index.js';

export interface ArtifactCheck {
  taskId: string;
  path: string;
  kind: string;
  caption: string;
  expected: string;
  actual: string | null;
  ok: boolean;
}

/** Re-hashes every evidence file a job's tasks recorded; a missing or edited file fails. */
export async function verifyArtifacts(artifacts: ArtifactStore, jobId: string, tasks: Task[]): Promise<ArtifactCheck[]> {
  const checks: ArtifactCheck[] = [];
  for (const task of tasks) {
    for (const item of task.evidence) {
      if (!('sha256' in item)) continue;
      let actual: string | null = null;
      // A recorded path is a bare file name in the task's own folder; anything else
      // (`../t02-billcom/x.jpg`) would let one task's record vouch for another's file.
      if (path.basename(item.path) !== item.path) {
        checks.push({ taskId: task.id, path: item.path, kind: item.kind, caption: item.caption, expected: item.sha256, actual: null, ok: false });
        continue;
      }
      try {
        const data = await artifacts.get(jobId, `${task.id}/${item.path}`);
        actual = data ? createHash('sha256').update(data).digest('hex') : null;
      } catch {
        actual = null;
      }
      checks.push({ taskId: task.id, path: item.path, kind: item.kind, caption: item.caption, expected: item.sha256, actual, ok: actual === item.sha256 });
    }
  }
  return checks;
}
