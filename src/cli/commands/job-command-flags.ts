import type { GlobalFlags } from '../context.js';

/** The flags offboard, provision and set-role share, whether the job runs now or is only submitted. */
export interface JobCommandFlags extends GlobalFlags {
  /** Apply without asking: needed for a change when stdin is not a terminal. */
  yes?: boolean;
  /** --run-at: store the job to run then (see submit-job.ts) instead of running it now. */
  runAt?: string | undefined;
  /** --server: send the job to a running service instead of the local store. */
  server?: string | undefined;
  tokenRef?: string | undefined;
}
