import type { CliIO } from './io.js';

/**
 * One progress bar per app while a review lists users, drawn on stderr (stdout may be
 * the CSV itself) and only in a terminal. An app that does not say its total up front
 * shows a count without a bar. Redraws are throttled: a 10,000-user listing reports
 * hundreds of pages and the terminal need not see each one.
 */
export interface ReviewProgress {
  update(app: string, read: number, total: number | null): void;
  done(): void;
}

const WIDTH = 24;
const REDRAW_MS = 100;

export function createReviewProgress(io: CliIO, apps: string[], enabled: boolean, now: () => number = Date.now): ReviewProgress {
  if (!enabled || !io.isTTY || apps.length === 0) return { update() {}, done() {} };
  const state = new Map(apps.map((a) => [a, { read: 0, total: null as number | null }]));
  const nameWidth = Math.max(...apps.map((a) => a.length));
  let drawn = false;
  let last = 0;

  const line = (app: string, read: number, total: number | null): string => {
    if (total === null || total <= 0) return `${app.padEnd(nameWidth)}  ${read} users read`;
    const filled = Math.min(WIDTH, Math.round((read / total) * WIDTH));
    return `${app.padEnd(nameWidth)}  [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${read}/${total}`;
  };

  const draw = () => {
    const control = io.control?.stderr ?? io.stderr;
    if (drawn) control(`\x1b[${apps.length}A`);
    for (const [app, s] of state) {
      control('\x1b[2K');
      io.stderr(`${line(app, s.read, s.total)}\n`);
    }
    drawn = true;
    last = now();
  };

  return {
    update(app, read, total) {
      const s = state.get(app);
      if (!s) return;
      s.read = read;
      s.total = total;
      if (now() - last >= REDRAW_MS || (total !== null && read >= total)) draw();
    },
    done() {
      // Leave the final counts on screen: they are the review's per-app summary.
      if (drawn) draw();
    },
  };
}
