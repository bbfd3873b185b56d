import type { Command } from 'commander';
import { parseMultiPairs, parsePairs } from '../parse-pairs.js';
import type { CliIO } from '../io.js';
import type { GlobalFlags } from '../context.js';
import { runJobCommand } from './run-job-command.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

const appsList = (value: string | undefined): string[] | 'all' =>
  !value || value === 'all' ? 'all' : value.split(',').map((s) => s.trim()).filter(Boolean);

const collect = (value: string, previous: string[] = []) => [...previous, value];

interface Later {
  runAt?: string;
  server?: string;
  tokenRef?: string;
}

/** Store the job for later, or hand it to a service, instead of running it here and now (submit-job.ts). */
const laterOptions = (c: Command) =>
  c
    .option('--run-at <time>', 'run at this ISO 8601 time with a zone (e.g. 2026-12-01T17:00:00Z); stores the job and exits: `seatctl serve` runs it')
    .option('--server <url>', 'send the job to a running seatctl service instead of running it here')
    .option('--token-ref <ref>', 'with --server: bearer token as env:NAME or file:/path (default env:SEATCTL_TOKEN)');

const laterFlags = (opts: Later) => ({ runAt: opts.runAt, server: opts.server, tokenRef: opts.tokenRef });

/** The lifecycle commands a person types: offboard, provision, set-role. */
export function registerJobCommands(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  laterOptions(program
    .command('offboard')
    .description('disable (or with --mode delete, delete) a person in every selected app; idempotent')
    .argument('<email>', 'the person to offboard')
    .option('--apps <list>', 'apps to act on: a,b or all', 'all')
    .option('--mode <mode>', 'deactivate (default, keeps audit history) or delete', 'deactivate')
    .option('--transfer-to <email>', "hand the person's documents to this person (e.g. their manager) first, where the app can (Sigma)")
    .option('--dry-run', 'plan and rehearse, change nothing')
    .option('--yes', 'do not ask for confirmation'))
    .action((email: string, opts: Later & { apps?: string; mode: string; transferTo?: string; dryRun?: boolean; yes?: boolean }) =>
      run(() =>
        runJobCommand(io, { ...globals(), yes: Boolean(opts.yes), ...laterFlags(opts) }, {
          kind: 'offboard',
          email,
          apps: appsList(opts.apps),
          mode: opts.mode as 'deactivate',
          ...(opts.transferTo !== undefined ? { transferTo: opts.transferTo } : {}),
          dryRun: Boolean(opts.dryRun),
        }),
      ),
    );

  laterOptions(program
    .command('provision')
    .description('create a person with a role in each named app (roles are validated against each app first)')
    .requiredOption('--email <email>', 'the person to create')
    .requiredOption('--first-name <name>', 'first name')
    .requiredOption('--last-name <name>', 'last name')
    .requiredOption('--role <app=Role,...>', 'role per app; names the apps', collect)
    .option('--team <app=Team,...>', 'teams to add the person to, where the app has teams', collect)
    .option('--dry-run', 'plan and rehearse, change nothing')
    .option('--yes', 'do not ask for confirmation'))
    .action((opts: Later & { email: string; firstName: string; lastName: string; role: string[]; team?: string[]; dryRun?: boolean; yes?: boolean }) =>
      run(async () => {
        const teams = parseMultiPairs('--team', opts.team);
        return runJobCommand(io, { ...globals(), yes: Boolean(opts.yes), ...laterFlags(opts) }, {
          kind: 'provision',
          email: opts.email,
          firstName: opts.firstName,
          lastName: opts.lastName,
          roles: parsePairs('--role', opts.role),
          ...(Object.keys(teams).length ? { teams } : {}),
          dryRun: Boolean(opts.dryRun),
        });
      }),
    );

  laterOptions(program
    .command('set-role')
    .description("change a person's role in each named app")
    .argument('<email>', 'the person')
    .requiredOption('--role <app=Role,...>', 'new role per app; names the apps', collect)
    .option('--dry-run', 'plan and rehearse, change nothing')
    .option('--yes', 'do not ask for confirmation'))
    .action((email: string, opts: Later & { role: string[]; dryRun?: boolean; yes?: boolean }) =>
      run(() => runJobCommand(io, { ...globals(), yes: Boolean(opts.yes), ...laterFlags(opts) }, { kind: 'set-role', email, roles: parsePairs('--role', opts.role), dryRun: Boolean(opts.dryRun) })),
    );
}
