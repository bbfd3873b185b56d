import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, DriverName, Expected, Mode, Range } from './matrix.js';

/**
 * One row of the fault table: what was expected, what happened (from the task and the
 * simulator's ground truth), and the problems found. Each test writes its own file
 * under test-results/fault-matrix/, so parallel workers never share one.
 */
export interface Observed {
  outcome: string;
  /** The task's and the job's terminal status. */
  status: string;
  jobStatus: string;
  code: string | null;
  message: string | null;
  locator: string | null;
  attempts: number;
  retries: number;
  throttled: number;
  readBack: boolean;
  logins: number;
  crashes: number;
  /** Applied mutations in the simulator's log (all users). */
  mutations: number;
  /** Of those, the ones that are not the action's intended mutation on the subject. */
  unintended: string[];
  /** The subject's final state in ground truth agrees with the task's outcome. */
  truthConsistent: boolean;
  truth: string;
}

export interface FaultRow extends Observed {
  fault: string;
  family: string;
  driver: DriverName;
  action: Action;
  mode: Mode;
  expected: string;
  problems: string[];
  ok: boolean;
  durationMs: number;
}

/** `SEATCTL_FAULT_ROWS` moves the rows elsewhere (Playwright clears test-results/ when any run starts). */
export const ROWS_DIR = process.env.SEATCTL_FAULT_ROWS
  ? path.resolve(process.env.SEATCTL_FAULT_ROWS)
  : fileURLToPath(new URL('../../test-results/fault-matrix', import.meta.url));
export const rowFile = (row: Pick<FaultRow, 'fault' | 'driver' | 'action'>): string => path.join(ROWS_DIR, `${row.fault}--${row.driver}--${row.action}.jsonl`);

export function recordRow(row: FaultRow): void {
  mkdirSync(ROWS_DIR, { recursive: true });
  writeFileSync(rowFile(row), JSON.stringify(row) + '\n');
}

const inRange = (n: number, r: Range | undefined): boolean => r === undefined || (n >= r[0] && n <= r[1]);
const showRange = (r: Range): string => (r[0] === r[1] ? String(r[0]) : `${r[0]}..${r[1]}`);

/** Problems of one observation against one acceptable terminal state (empty: it matches). */
export function problemsAgainst(e: Expected, o: Observed): string[] {
  const p: string[] = [];
  if (o.outcome !== e.outcome) p.push(`outcome ${o.outcome}${o.code ? ` (${o.code}: ${o.message})` : ''}, expected ${e.outcome}`);
  if (e.code && o.code !== e.code) p.push(`error code ${o.code ?? 'none'}, expected ${e.code}`);
  if (o.mutations !== e.mutations) p.push(`${o.mutations} mutations applied, expected exactly ${e.mutations}`);
  if (!inRange(o.retries, e.retries)) p.push(`${o.retries} retries, expected ${showRange(e.retries!)}`);
  if (!inRange(o.throttled, e.throttled)) p.push(`${o.throttled} throttle waits, expected ${showRange(e.throttled!)}`);
  if (!inRange(o.logins, e.logins)) p.push(`${o.logins} sign-ins, expected ${showRange(e.logins!)}`);
  if (!inRange(o.crashes, e.crashes)) p.push(`${o.crashes} browser crashes, expected ${showRange(e.crashes!)}`);
  if (e.readBack !== undefined && o.readBack !== e.readBack) p.push(e.readBack ? 'the change was not confirmed by a read-back' : 'unexpected read-back recovery');
  if (e.locator !== undefined) {
    if (!o.locator) p.push('the failure names no locator');
    else if (e.locator !== 'any' && o.locator !== e.locator) p.push(`the failure names locator "${o.locator}", expected "${e.locator}"`);
    else if (!o.message?.includes(`"${o.locator}"`)) p.push(`the message does not name the locator: ${o.message}`);
  }
  return p;
}

/** Checks that do not depend on which alternative was expected, then the closest alternative's. */
export function judge(expected: Expected | Expected[], o: Observed): string[] {
  const base: string[] = [];
  if (o.unintended.length) base.push(`unintended mutations: ${o.unintended.join('; ')}`);
  if (!o.truthConsistent) base.push(`ground truth disagrees with the outcome: ${o.truth}`);
  const wanted = o.outcome === 'changed' ? 'succeeded' : 'failed';
  if (o.status !== wanted || o.jobStatus !== wanted) base.push(`task status ${o.status}, job status ${o.jobStatus} for outcome ${o.outcome}`);
  const alternatives = Array.isArray(expected) ? expected : [expected];
  const scored = alternatives.map((e) => problemsAgainst(e, o));
  const best = scored.find((s) => s.length === 0) ?? scored.find((_, i) => alternatives[i]!.outcome === o.outcome) ?? scored[0]!;
  return [...base, ...best];
}
