import type { ActionRequest } from '../../model/index.js';
import { createJobEngine } from '../../engine/job-engine.js';
import { requestApps } from '../../engine/job-kinds/index.js';
import { storedJobDocument } from '../../report/job-document.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, openContextStore } from '../context.js';
import { remote } from './jobs.js';
import type { JobCommandFlags } from './job-command-flags.js';

/**
 * offboard/provision/set-role with `--run-at` or `--server`: the job is stored (locally,
 * or by the service) and the command exits 0 with its id, without planning or waiting.
 * It plans when it runs, against the apps as they are then: a plan read today would be
 * stale by the exit date. Locally, `seatctl serve` on the same data dir starts it at
 * its time (a one-shot CLI is not there at 09:00 tomorrow); the service does the same
 * for a job sent to it. Approval then follows the usual policy: `jobs approve`.
 */
export async function submitJob(io: CliIO, flags: JobCommandFlags, request: ActionRequest, who: string): Promise<number> {
  const when = flags.runAt ? `at ${flags.runAt}` : 'now';
  if (flags.server) {
    const doc = (await remote(io, { server: flags.server, tokenRef: flags.tokenRef }, 'POST', '/v1/jobs', { ...request, ...(flags.runAt ? { runAt: flags.runAt } : {}) })) as ReturnType<typeof storedJobDocument>;
    const origin = new URL(flags.server).origin;
    say(io, flags, doc, `job ${doc.job.id} sent to ${origin}: ${doc.job.status}; the service runs it ${when}\n  follow: seatctl jobs show ${doc.job.id} --server ${origin}\n`);
    return EXIT.OK;
  }
  const ctx = await openContext(io, flags);
  const store = await openContextStore(ctx, io);
  try {
    // As for a job run now: unknown apps and missing secrets are refused before anything is stored.
    ctx.runtime.checkSecrets(requestApps(request, ctx.config));
    const engine = createJobEngine({ runtime: ctx.runtime, store, approvals: ctx.config.approvals });
    const { stored } = await engine.submit(request, { requestedBy: who, ...(flags.runAt ? { runAt: flags.runAt } : {}) });
    const doc = storedJobDocument(stored, ctx.config.dataDir);
    say(
      io,
      flags,
      doc,
      `job ${stored.job.id} scheduled ${when} (stored in ${ctx.config.dataDir}); this command does not wait:\n` +
        `  \`seatctl serve\` on this config runs it at its time (or at its next start, if it is not running then)\n` +
        `  follow: seatctl jobs show ${stored.job.id}   cancel: seatctl jobs cancel ${stored.job.id}\n`,
    );
    return EXIT.OK;
  } finally {
    await store.close();
    await ctx.runtime.close();
  }
}

function say(io: CliIO, flags: JobCommandFlags, doc: unknown, human: string): void {
  io.stdout(flags.json ? `${JSON.stringify(doc)}\n` : human);
}
