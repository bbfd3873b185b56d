import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { selectApps } from '../../config/load-config.js';
import { SeatctlError } from '../../errors/index.js';
import { csvRow } from '../../review/csv.js';
import { collectReview, REVIEW_COLUMNS } from '../../review/review-rows.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, type GlobalFlags } from '../context.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

export function registerReview(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('review')
    .description('list every user of every selected app in one table (access review)')
    .option('--apps <list>', 'apps to list: a,b or all', 'all')
    .option('--format <format>', 'csv or json (default: json with --json, else csv)')
    .option('--out <file>', 'write the table to a file instead of stdout')
    .option('--include-inactive', 'also list deactivated/archived accounts')
    .action((opts: { apps?: string; format?: string; out?: string; includeInactive?: boolean }) =>
      run(async () => {
        const flags = globals();
        const format = opts.format ?? (flags.json ? 'json' : 'csv');
        if (format !== 'csv' && format !== 'json') throw new SeatctlError('USAGE', `--format: expected csv or json, got "${format}"`);
        const ctx = await openContext(io, flags);
        try {
          const apps = selectApps(ctx.config, opts.apps).map((a) => a.name);
          const review = await collectReview(ctx.runtime, apps, Boolean(opts.includeInactive));
          const body =
            format === 'json'
              ? JSON.stringify({ review: { id: review.id, complete: review.apps.every((a) => a.complete), apps: review.apps, rows: review.rows } }) + '\n'
              : csvRow([...REVIEW_COLUMNS]) + review.rows.map((r) => csvRow(REVIEW_COLUMNS.map((c) => r[c]))).join('');
          if (opts.out) await writeFile(opts.out, body, { mode: 0o600 });
          else io.stdout(body);
          for (const a of review.apps) {
            io.stderr(`${a.app}: ${a.count} users${a.complete ? '' : ` — INCOMPLETE (${a.error?.code}: ${a.error?.message})`}\n`);
          }
          return review.apps.every((a) => a.complete) ? EXIT.OK : EXIT.TASK_FAILED;
        } finally {
          await ctx.runtime.close();
        }
      }),
    );
}
