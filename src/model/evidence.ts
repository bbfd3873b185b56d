import { z } from 'zod';

/**
 * Proof of what a task did. API work leaves request records; console work leaves
 * screenshots and a trace. Files are referenced by path relative to the task's
 * artifact folder, with their SHA-256, so a report can be re-verified later.
 */
export const requestRecordSchema = z.object({
  kind: z.literal('request'),
  at: z.string(),
  method: z.string(),
  url: z.string(),
  status: z.number().nullable(),
  durationMs: z.number(),
  /** Request body with secret fields replaced; absent for GETs. */
  requestBody: z.unknown().optional(),
  /** Truncated, redacted response body. */
  responseBody: z.unknown().optional(),
  /** Dry run: built but not sent. */
  planned: z.boolean().optional(),
  error: z.string().optional(),
});
export type RequestRecord = z.infer<typeof requestRecordSchema>;

export const fileEvidenceSchema = z.object({
  kind: z.enum(['screenshot', 'trace', 'html', 'record']),
  at: z.string(),
  path: z.string(),
  sha256: z.string(),
  caption: z.string(),
  /**
   * Which driver call wrote the file: a console flow's label (`find`, `roles`, `list`,
   * `canary`, `login`) or the operation (`provision`, `set-role`, `deactivate`,
   * `reactivate`, `delete`). Set on traces; absent in records written before it existed.
   */
  phase: z.string().optional(),
  /** 1 for the first trace of that phase in the task, 2 for a retry or a later process. */
  attempt: z.number().int().positive().optional(),
});
export type FileEvidence = z.infer<typeof fileEvidenceSchema>;

export const noteEvidenceSchema = z.object({ kind: z.literal('note'), at: z.string(), text: z.string() });

export const evidenceItemSchema = z.discriminatedUnion('kind', [
  requestRecordSchema,
  fileEvidenceSchema,
  noteEvidenceSchema,
]);
export type EvidenceItem = z.infer<typeof evidenceItemSchema>;

/**
 * Where a driver (and the HTTP client under it) leaves proof of what it did during one
 * task. Here with the evidence items it holds, so every layer that records evidence
 * depends on the model only.
 */
export interface EvidenceSink {
  add(item: EvidenceItem): void;
  note(text: string): void;
  /** Writes an artifact file (screenshot, trace, HTML) and records its hash. */
  saveFile(name: string, data: Buffer | string, kind: FileEvidence['kind'], caption: string, meta?: Pick<FileEvidence, 'phase' | 'attempt'>): Promise<FileEvidence>;
  /**
   * A private local folder for files a tool must write itself before they become
   * evidence through saveFile (Playwright writes a trace only to a path). Not evidence:
   * whatever is put here is removed by whoever put it.
   */
  readonly scratchDir: string;
  readonly items: readonly EvidenceItem[];
}
