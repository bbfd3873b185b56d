import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { SeatctlError } from '../../errors/index.js';
import type { ArtifactStore } from '../../audit/artifact-store.js';
import { writePrivateFile } from '../../fs/private-files.js';
import { operationSchema, type FileEvidence, type Task } from '../../model/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';

/** One trace of a task, as `replay --trace list` shows it. */
export interface TraceEntry {
  name: string;
  /** The driver call it recorded: `find`, `roles`, or an operation such as `deactivate`. */
  phase: string;
  /** Whether that call was a change (an operation) rather than a look-up. */
  change: boolean;
  at: string | null;
  bytes: number | null;
  /** Re-hashed now: false if the file was edited or is gone; null for a file the task never recorded. */
  hashOk: boolean | null;
}

const CAPTION = /^Playwright trace: (.+)$/;
const OPERATIONS: readonly string[] = operationSchema.options;

/**
 * Which call a trace recorded comes from the task's evidence record, never from the
 * file name (names change as they are made unique per task, phase and attempt): a
 * `phase` or `label` field when the record has one, else its caption.
 */
function phaseOf(item: { caption: string } & Record<string, unknown>): string {
  for (const key of ['phase', 'label'] as const) if (typeof item[key] === 'string') return item[key];
  return CAPTION.exec(item.caption)?.[1] ?? 'unknown';
}

/** Where a task's traces are read from: the job's artifacts, under the task's folder. */
export interface TaskTraces {
  artifacts: ArtifactStore;
  jobId: string;
  /** Private local folder the chosen trace is copied to for the viewer (it reads only files). */
  scratchDir: string;
}

/** The task's traces, oldest first: every recorded one, then stored files it never recorded. */
export async function listTraces(where: TaskTraces, task: Task): Promise<TraceEntry[]> {
  const entries: TraceEntry[] = [];
  const recorded = task.evidence.filter((e): e is FileEvidence => e.kind === 'trace');
  for (const item of recorded) {
    const phase = phaseOf(item as FileEvidence & Record<string, unknown>);
    // A bare name in the task's own folder, whatever the record says.
    const name = path.basename(item.path);
    const data = await where.artifacts.get(where.jobId, `${task.id}/${name}`).catch(() => null);
    const hashOk = data !== null && createHash('sha256').update(data).digest('hex') === item.sha256;
    entries.push({ name, phase, change: OPERATIONS.includes(phase), at: item.at, bytes: data?.length ?? null, hashOk });
  }
  entries.sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  const known = new Set(entries.map((e) => e.name));
  const prefix = `${task.id}/`;
  const stored = (await where.artifacts.list(where.jobId)).filter((f) => f.path.startsWith(prefix) && f.path.endsWith('.zip') && !known.has(f.path.slice(prefix.length)));
  for (const f of stored) {
    entries.push({ name: f.path.slice(prefix.length), phase: 'unrecorded', change: false, at: null, bytes: f.bytes, hashOk: null });
  }
  return entries;
}

/**
 * The trace to open: the named one, else the latest trace of a change (what someone
 * debugging a job almost always wants), else the latest recorded look-up.
 */
export function chooseTrace(traces: TraceEntry[], wanted: string | undefined, taskId: string): TraceEntry {
  if (wanted !== undefined) {
    const hit = traces.find((t) => t.name === wanted);
    if (!hit) throw new SeatctlError('USAGE', `replay --trace: task ${taskId} has no trace named "${wanted}"; see --trace list`, { details: { trace: wanted } });
    return hit;
  }
  const pick = traces.filter((t) => t.change).at(-1) ?? traces.filter((t) => t.phase !== 'unrecorded').at(-1) ?? traces.at(-1);
  if (!pick) throw new SeatctlError('USAGE', `replay --trace: task ${taskId} has no recorded trace`);
  return pick;
}

const describe = (t: TraceEntry): string =>
  `${t.name}  ${t.phase}${t.change ? ' (change)' : ''}  ${t.at ?? '?'}  ${t.bytes === null ? 'missing' : `${(t.bytes / 1024).toFixed(0)} KiB`}${t.hashOk === false ? '  HASH MISMATCH' : ''}`;

/** `--trace list`: the task's traces with phase, time and size. */
export async function printTraceList(io: CliIO, json: boolean, where: TaskTraces, task: Task): Promise<number> {
  const traces = await listTraces(where, task);
  if (json) io.stdout(JSON.stringify({ task: task.id, traces }) + '\n');
  else io.stdout(traces.length ? `${traces.map(describe).join('\n')}\n` : `task ${task.id} has no trace\n`);
  return EXIT.OK;
}

/** Playwright's trace viewer over HTTP on loopback (show-trace needs no bundled browser this way). */
export async function serveTrace(io: CliIO, where: TaskTraces, task: Task, wanted: string | undefined): Promise<number> {
  const trace = chooseTrace(await listTraces(where, task), wanted, task.id);
  if (!trace.change && wanted === undefined) io.stderr(`replay --trace: task ${task.id} recorded no change; showing its last look-up (${trace.phase})\n`);
  if (trace.hashOk === false) io.stderr(`replay --trace: ${trace.name} does not match the hash the task recorded: it was edited or is missing\n`);
  // cli.js is not in playwright-core's exports map; its package.json is, and sits beside it.
  const cli = path.join(path.dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
  // The viewer reads a file: a private copy of the stored trace, removed when it stops.
  await mkdir(where.scratchDir, { recursive: true, mode: 0o700 });
  const copyDir = await mkdtemp(path.join(where.scratchDir, 'show-trace-'));
  const copy = path.join(copyDir, trace.name);
  await writePrivateFile(copy, (await where.artifacts.get(where.jobId, `${task.id}/${trace.name}`)) ?? Buffer.alloc(0));
  try {
    return await viewTrace(io, task, trace, copy, cli);
  } finally {
    await rm(copyDir, { recursive: true, force: true });
  }
}

async function viewTrace(io: CliIO, task: Task, trace: TraceEntry, file: string, cli: string): Promise<number> {
  const child = spawn(process.execPath, [cli, 'show-trace', '--host', '127.0.0.1', '--port', '0', file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      const m = /Listening on (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new SeatctlError('INTERNAL', `trace viewer exited (${code})`)));
  });
  io.stdout(`trace viewer for ${task.id} (${trace.name}, ${trace.phase}): ${url}\nCtrl-C to stop.\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      child.kill('SIGTERM');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    child.once('exit', () => resolve());
  });
  return EXIT.OK;
}
