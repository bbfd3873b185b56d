import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One look at this process and the browsers it started. */
export interface Sample {
  /** Seconds since the sampler started. */
  t: number;
  rssMb: number;
  heapMb: number;
  /** Descendant processes that are Chromium (browser, renderers, zygote, utility). */
  chromiumProcs: number;
  /** Their RSS summed (shared pages count once per process, so this over-counts). */
  chromiumRssMb: number;
  /** Other descendants (none expected: the simulators run in this process). */
  otherProcs: number;
  openContexts: number;
  jobsDone: number;
}

export interface Descendant {
  pid: number;
  ppid: number;
  rssKb: number;
  comm: string;
}

const CHROMIUM = /chrom|headless_shell/i;

/** Every descendant of `root`, from one `ps` listing (the `ps` itself left out). */
export async function descendants(root = process.pid): Promise<Descendant[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,ppid=,rss=,comm='], { maxBuffer: 16 * 1024 * 1024 });
  const all: Descendant[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) all.push({ pid: Number(m[1]), ppid: Number(m[2]), rssKb: Number(m[3]), comm: m[4]!.trim() });
  }
  const children = new Map<number, Descendant[]>();
  for (const p of all) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: Descendant[] = [];
  const walk = (pid: number) => {
    for (const c of children.get(pid) ?? []) {
      if (c.comm === 'ps') continue;
      found.push(c);
      walk(c.pid);
    }
  };
  walk(root);
  return found;
}

export const isChromium = (p: Descendant): boolean => CHROMIUM.test(p.comm);

export interface Sampler {
  samples: Sample[];
  /** Takes one sample now (also used for the final one). */
  take(): Promise<Sample>;
  stop(): void;
}

/** Samples every `intervalMs` until stopped; the extra figures come from the caller. */
export function startSampler(intervalMs: number, extra: () => { openContexts: number; jobsDone: number }): Sampler {
  const started = Date.now();
  const samples: Sample[] = [];
  const take = async (): Promise<Sample> => {
    const mem = process.memoryUsage();
    const procs = await descendants().catch(() => []);
    const chromium = procs.filter(isChromium);
    const sample: Sample = {
      t: Math.round((Date.now() - started) / 1000),
      rssMb: mem.rss / 2 ** 20,
      heapMb: mem.heapUsed / 2 ** 20,
      chromiumProcs: chromium.length,
      chromiumRssMb: chromium.reduce((s, p) => s + p.rssKb, 0) / 1024,
      otherProcs: procs.length - chromium.length,
      ...extra(),
    };
    samples.push(sample);
    return sample;
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void take().finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  void take();
  return { samples, take, stop: () => clearInterval(timer) };
}

export function median(values: number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The sample table, thinned to at most `maxRows` rows (first and last always kept). */
export function formatSamples(samples: Sample[], maxRows = 40): string {
  const step = Math.max(1, Math.ceil(samples.length / maxRows));
  const rows = samples.filter((_, i) => i % step === 0 || i === samples.length - 1);
  const head = '   t(s)  rss(MB)  heap(MB)  chromium procs  chromium rss(MB)  open ctx  jobs done';
  const lines = rows.map(
    (s) =>
      `${String(s.t).padStart(7)}  ${s.rssMb.toFixed(0).padStart(7)}  ${s.heapMb.toFixed(0).padStart(8)}  ${String(s.chromiumProcs).padStart(14)}  ${s.chromiumRssMb.toFixed(0).padStart(16)}  ${String(s.openContexts).padStart(8)}  ${String(s.jobsDone).padStart(9)}`,
  );
  return [head, ...lines].join('\n');
}
