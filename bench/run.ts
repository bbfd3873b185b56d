import { benchOffboardOne } from './offboard-one.js';
import { seconds } from './profile.js';

/** `npm run bench`: every benchmark, one table of seatctl vs the naive baseline. */
const results = [await benchOffboardOne()];
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log('\nbenchmark                         seatctl     naive       naive/seatctl');
for (const r of results) console.log(`${r.name.padEnd(33)} ${seconds(r.seatctlMs).padEnd(11)} ${seconds(r.naiveMs).padEnd(11)} ${(r.naiveMs / r.seatctlMs).toFixed(2)}x`);
console.log(`peak RSS of the benchmark process (excluding Chromium): ${peakRssMb} MB`);
