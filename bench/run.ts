import os from 'node:os';
import { benchAuditOverhead } from './audit-overhead.js';
import { benchConsoleTask } from './console-task.js';
import { benchOffboardOne } from './offboard-one.js';
import { seconds } from './profile.js';
import { benchReview10k } from './review-10k.js';
import { benchSchedulerOverhead } from './scheduler-overhead.js';
import { benchService200 } from './service-200.js';
import { benchScaleOut200 } from './scale-out-200.js';

/**
 * `npm run bench`: every benchmark in bench/, one after another (never in parallel:
 * they would measure each other), then one table of seatctl vs the baseline. Each
 * benchmark prints its own detail first. `BENCH_ONLY=review,service` runs a subset.
 *
 * The "baseline" column is the naive script for the throughput benchmarks, and the
 * bare run (evidence off, driver called directly) for the two overhead benchmarks,
 * where a ratio under 1.00x is the price of the feature.
 */
interface Row {
  name: string;
  seatctlMs: number;
  naiveMs: number;
  note?: string;
}

const ALL: Record<string, () => Promise<Row>> = {
  offboard: benchOffboardOne,
  'console-task': benchConsoleTask,
  service: benchService200,
  review: benchReview10k,
  audit: benchAuditOverhead,
  scheduler: benchSchedulerOverhead,
  scale: benchScaleOut200,
};

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = (only ?? []).filter((k) => !(k in ALL));
if (unknown.length) {
  console.error(`BENCH_ONLY: unknown benchmark(s) ${unknown.join(', ')}; choose from ${Object.keys(ALL).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const rows: Row[] = [];
for (const [key, bench] of Object.entries(ALL)) {
  if (only && !only.includes(key)) continue;
  console.log(`\n=== ${key} ===`);
  rows.push(await bench());
}

const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(`\nseatctl benchmarks — ${new Date().toISOString()}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log('benchmark                                   seatctl      baseline     baseline/seatctl');
for (const r of rows) {
  console.log(`${r.name.padEnd(43)} ${seconds(r.seatctlMs).padEnd(12)} ${seconds(r.naiveMs).padEnd(12)} ${(r.naiveMs / r.seatctlMs).toFixed(2)}x${r.note ? `   (${r.note})` : ''}`);
}
console.log(`peak RSS of the benchmark process (excluding Chromium): ${peakRssMb} MB; total ${seconds(Date.now() - started)}`);
