import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { loadConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { jobDir } from '../../src/audit/job-folder.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema, type EvidenceItem, type Job, type JobRequestInput, type Task } from '../../src/model/index.js';
import { createTestEngine } from '../support/test-engine.js';
import { scanTempDir } from '../support/scan-root.js';
import { startTwoDoorApp, type TwoDoorApp } from './two-door-app.js';

/** The two-door app, an engine on a config routing one app through its doors, and the task's record on disk. */
export const DOORS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'doors');

export interface DoorEntry {
  door: 'a' | 'b';
  transfer?: boolean;
}

export interface RoutingEnv {
  app: TwoDoorApp;
  config: LoadedConfig;
  runtime: Runtime;
  dir: string;
  run(request: JobRequestInput): Promise<Job>;
  /** evidence.json of a task as written on disk: the one record. */
  record(job: Job, task: Task): Promise<EvidenceItem[]>;
  close(): Promise<void>;
}

export function doorsConfig(url: string, entries: DoorEntry[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: 'data',
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    apps: {
      docs: {
        drivers: entries.map((e) => ({
          driver: path.join(DOORS_DIR, `door-${e.door}.ts`),
          baseUrl: url,
          timeoutMs: 400,
          options: { door: e.door, ...(e.transfer ? { transfer: true } : {}) },
        })),
        ...extra,
      },
    },
  };
}

export async function startRoutingEnv(entries: DoorEntry[], extra: Record<string, unknown> = {}): Promise<RoutingEnv> {
  const app = await startTwoDoorApp();
  const dir = scanTempDir('seatctl-routing-');
  const raw = doorsConfig(app.url, entries, extra);
  await writeFile(path.join(dir, 'seatctl.config.json'), JSON.stringify(raw));
  const config = await loadConfig(raw, builtInDrivers(), { source: path.join(dir, 'seatctl.config.json'), baseDir: dir });
  const { runtime } = createTestEngine(config);
  return {
    app,
    config,
    runtime,
    dir,
    run: (request) => runToEnd(runtime, actionRequestSchema.parse(request), { approvals: NO_APPROVAL_GATE }),
    async record(job, task) {
      return JSON.parse(await readFile(path.join(jobDir(config.dataDir, job.id), task.id, 'evidence.json'), 'utf8')) as EvidenceItem[];
    },
    async close() {
      await runtime.close();
      await app.close();
    },
  };
}

export const notes = (items: readonly EvidenceItem[]): string[] => items.flatMap((i) => (i.kind === 'note' ? [i.text] : []));
export const requestsTo = (items: readonly EvidenceItem[], door: 'a' | 'b'): EvidenceItem[] => items.filter((i) => i.kind === 'request' && new URL(i.url).pathname.startsWith(`/${door}/`));
