import type { LaunchOptions } from '../fixtures/launch.js';

/**
 * The latency profile every benchmark runs against, so figures are comparable run to
 * run: API calls ~80 ms ±40 (a SaaS API across a region), console pages and their
 * JSON calls ~150 ms (a heavy admin SPA), as measured ranges of real consoles go.
 */
export const LATENCY_PROFILE: Pick<LaunchOptions, 'faults' | 'simulators'> = {
  faults: { latencyMs: 80, jitterMs: 40 },
  simulators: {
    stitch: { faults: { latencyMs: 80, jitterMs: 40 }, consoleFaults: { pageLatencyMs: 150 } },
    billcom: { faults: { latencyMs: 80, jitterMs: 40 }, consoleFaults: { pageLatencyMs: 150 } },
  },
};

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
