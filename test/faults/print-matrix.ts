import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROWS_DIR, type FaultRow } from './fault-row.js';
import { ALL_DRIVERS, FAULT_CASES, combinations, type Mode } from './matrix.js';

/**
 * Prints the fault table (fault × driver → outcome, retries, mutations, as expected?)
 * from the rows the matrix tests recorded under test-results/fault-matrix/, and writes
 * it as Markdown to test-results/fault-matrix.md. `npm run test:faults` ends with it;
 * after a short run (inside `npm test`) run it by hand: `npx tsx test/faults/print-matrix.ts`.
 * Exit code 1 when a combination did not end as expected or has no row.
 */
const MD_FILE = fileURLToPath(new URL('../../test-results/fault-matrix.md', import.meta.url));

function readRows(): FaultRow[] {
  if (!existsSync(ROWS_DIR)) return [];
  const rows: FaultRow[] = [];
  for (const file of readdirSync(ROWS_DIR).filter((f) => f.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(path.join(ROWS_DIR, file), 'utf8').split('\n')) if (line.trim()) rows.push(JSON.parse(line) as FaultRow);
  }
  return rows;
}

const faultOrder = new Map(FAULT_CASES.map((f, i) => [f.name, i]));
const driverOrder = new Map<string, number>(ALL_DRIVERS.map((d, i) => [d, i]));
const key = (r: { fault: string; driver: string; action: string }) => `${r.fault}|${r.driver}|${r.action}`;

const rows = readRows().sort(
  (a, b) => (faultOrder.get(a.fault) ?? 99) - (faultOrder.get(b.fault) ?? 99) || (driverOrder.get(a.driver) ?? 9) - (driverOrder.get(b.driver) ?? 9) || a.action.localeCompare(b.action),
);
const envMode = process.env.SEATCTL_FAULTS === 'full' ? 'full' : undefined;
const mode: Mode = envMode ?? (rows.some((r) => r.mode === 'full') ? 'full' : 'short');
const recorded = new Set(rows.map(key));
const missing = combinations(ALL_DRIVERS, mode).filter((c) => !recorded.has(key({ fault: c.fault.name, driver: c.driver, action: c.action })));

const outcomeOf = (r: FaultRow): string => (r.code ? `${r.outcome}:${r.code}` : r.outcome);
const header = ['fault', 'driver', 'action', 'expected', 'outcome', 'attempts', 'retries', '429 waits', 'read-back', 'sign-ins', 'mutations', 'as expected'];
const cells = rows.map((r) => [
  r.fault,
  r.driver,
  r.action,
  r.expected,
  outcomeOf(r),
  String(r.attempts),
  String(r.retries),
  String(r.throttled),
  r.readBack ? 'yes' : 'no',
  String(r.logins),
  String(r.mutations),
  r.ok ? 'yes' : `NO: ${r.problems.join('; ')}`,
]);

const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === header.length - 1 ? Math.min(c[i]!.length, 60) : c[i]!.length))));
const line = (c: string[]) => c.map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
const bad = rows.filter((r) => !r.ok);
const summary = `${rows.length} combinations recorded (${mode} run): ${rows.length - bad.length} as expected, ${bad.length} not${missing.length ? `, ${missing.length} missing` : ''}.`;

console.log(`\nFault matrix: fault × driver → outcome, retries, mutations applied (rows from ${path.relative(process.cwd(), ROWS_DIR) || ROWS_DIR})\n`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const c of cells) console.log(line(c));
console.log(`\n${summary}`);
for (const m of missing) console.log(`  missing: ${m.fault.name} × ${m.driver} (${m.action})`);

const md = [
  `# Fault matrix (${mode} run)`,
  '',
  summary,
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...cells.map((c) => `| ${c.map((v) => v.replace(/\|/g, '\\|')).join(' | ')} |`),
  ...(missing.length ? ['', 'Missing (no row recorded):', ...missing.map((m) => `- ${m.fault.name} × ${m.driver} (${m.action})`)] : []),
  '',
  '## Faults',
  '',
  ...FAULT_CASES.map((f) => `- **${f.name}** (${f.family}; ${f.drivers.join(', ')}${f.short === true ? '; short run too' : ''}): ${f.description}`),
  '',
].join('\n');
mkdirSync(path.dirname(MD_FILE), { recursive: true });
writeFileSync(MD_FILE, md);
console.log(`\nwritten: ${path.relative(process.cwd(), MD_FILE)}`);
process.exitCode = bad.length || missing.length || rows.length === 0 ? 1 : 0;
