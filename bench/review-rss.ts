import { schedulerForApps } from '../src/queue/scheduler.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchFixtures } from '../fixtures/launch.js';
import { loadConfigFile } from '../src/config/load-config.js';
import { builtInDrivers } from '../src/composition/built-in-drivers.js';
import { createRuntime } from '../src/engine/runtime.js';
import { createLogger } from '../src/log/logger.js';
import { createRedactor } from '../src/log/redactor.js';
import { runReview } from '../src/review/run-review.js';

/**
 * Peak memory of one access review as the job engine runs it, from listing to files
 * (`npx tsx bench/review-rss.ts`): `runReview(runtime, request, { dir, limits })` over
 * the BigID and Sigma simulators holding BENCH_REVIEW_PEOPLE people each (default
 * 10,000), reconciled against a roster of all of them (every tenth terminated, every
 * twentieth left out), writing review.csv, review.json and review.html.
 * BENCH_REVIEW_APPS=4 lists each simulator twice under a second app name (4 apps).
 * The simulators run in this process; the review runs in a fresh child process, whose
 * peak RSS is the OS's maxRSS (plus samples every 5 ms). Printed, not asserted: memory
 * depends on the machine.
 */
const PEOPLE = Number(process.env.BENCH_REVIEW_PEOPLE ?? 10_000);
const APP_COUNT = Number(process.env.BENCH_REVIEW_APPS ?? 2);
const MB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

interface ChildResult {
  baseRss: number;
  errors: string[];
  rows: number;
  complete: boolean;
  sampledPeakRss: number;
  maxRss: number;
  ms: number;
  bytes: Record<string, number>;
}

async function child(configPath: string, rosterPath: string, outDir: string): Promise<void> {
  let peak = 0;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 5);
  const config = await loadConfigFile(configPath, builtInDrivers());
  const redactor = createRedactor();
  const log = createLogger({ redactor, level: 'error' });
  const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log) });
  // What the process holds before the review reads anything (node, tsx, seatctl's modules).
  const baseRss = process.memoryUsage().rss;
  const started = Date.now();
  try {
    const request = { kind: 'review' as const, apps: 'all' as const, includeInactive: true, offboardOrphans: false, roster: { csv: readFileSync(rosterPath, 'utf8'), source: 'hr.csv' } };
    const { summary } = await runReview(runtime, request, { dir: outDir, limits: config.review });
    sample();
    clearInterval(timer);
    const bytes = Object.fromEntries(readdirSync(outDir).map((f) => [f, statSync(path.join(outDir, f)).size]));
    const out: ChildResult = { baseRss, errors: summary.apps.filter((a) => !a.complete).map((a) => `${a.app}: ${a.error?.message}`), rows: summary.rows, complete: summary.complete, sampledPeakRss: peak, maxRss: process.resourceUsage().maxRSS * 1024, ms: Date.now() - started, bytes };
    console.log(JSON.stringify(out));
  } finally {
    await runtime.close();
  }
}

async function parent(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'review-rss-'));
  try {
    const fixtures = await launchFixtures({ dir, apps: ['bigid', 'sigma'], simulators: { bigid: { users: PEOPLE, seed: 7 }, sigma: { users: PEOPLE, seed: 7 } } });
    try {
      const emails = new Set<string>();
      for (const app of ['bigid', 'sigma'] as const) {
        const state = (await (await fetch(fixtures.apps[app]!.stateUrl)).json()) as { users: { email: string }[] };
        for (const u of state.users) emails.add(u.email.toLowerCase());
      }
      const lines = ['email,name,status,termination_date,manager'];
      [...emails].forEach((e, i) => {
        if (i % 20 === 7) return;
        lines.push(i % 10 === 3 ? `${e},Person ${i},terminated,2026-01-31,boss@example.com` : `${e},Person ${i},active,,`);
      });
      const rosterPath = path.join(dir, 'roster.csv');
      writeFileSync(rosterPath, lines.join('\n'));
      let configPath = fixtures.configPath;
      if (APP_COUNT === 4) {
        // The same two simulators under a second name each: four apps, four listings.
        const raw = JSON.parse(readFileSync(configPath, 'utf8')) as { apps: Record<string, unknown>; review?: unknown };
        raw.apps = { ...raw.apps, 'bigid-2': raw.apps.bigid, 'sigma-2': raw.apps.sigma };
        // 100,000 × 4 is past the default review.maxRows (400,000) by the simulators' named users.
        raw.review = { maxRows: 1_000_000 };
        configPath = path.join(path.dirname(fixtures.configPath), 'four-apps.config.json');
        writeFileSync(configPath, JSON.stringify(raw));
      }
      const outDir = path.join(dir, 'review');
      // Asynchronously: the simulators answer from this process's event loop.
      const { stdout: out } = await promisify(execFile)(process.execPath, [...process.execArgv, process.argv[1]!, 'child', configPath, rosterPath, outDir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
      const files = Object.entries(r.bytes).map(([f, b]) => `${f} ${MB(b)}`).join(', ');
      console.log(`review ${PEOPLE.toLocaleString('en-US')} people × ${APP_COUNT} apps, roster ${(lines.length - 1).toLocaleString('en-US')}: ${r.rows.toLocaleString('en-US')} rows${r.complete ? '' : ` INCOMPLETE (${r.errors.join('; ')})`}, peak RSS (maxRSS) ${MB(r.maxRss)} (${MB(r.baseRss)} before the review started), sampled peak ${MB(r.sampledPeakRss)}, ${(r.ms / 1000).toFixed(1)} s; ${files}`);
    } finally {
      await fixtures.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await parent();
