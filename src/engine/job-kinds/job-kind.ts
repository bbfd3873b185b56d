import type { LoadedConfig } from '../../config/load-config.js';
import type { Job, JobKind, JobRequest, StoredReviewRequest } from '../../model/index.js';
import type { JobMeta, JobStore, StoredJob } from '../../store/job-store.js';
import type { Runtime } from '../runtime.js';
import type { TaskTarget } from './task-targets.js';
import type { OrphanTarget } from '../../review/run-review.js';

/** When a job runs and who asked for it, besides the request itself. */
export type SubmitOptions = Omit<JobMeta, 'request'>;

/** Hooks into a review job run in this process (the CLI's progress and orphan hand-off). */
export interface ReviewHooks {
  onProgress?: (jobId: string, app: string, read: number, total: number | null) => void;
  /**
   * When given, a review asked to offboard its orphans hands them here instead of creating
   * the offboarding job itself: the CLI creates it as the person at the terminal, with
   * their confirmation, as `seatctl offboard` would. Called once, possibly with none.
   */
  takeOrphans?: (jobId: string, targets: OrphanTarget[]) => void;
}

/** What the engine lends a kind's handler: its store, its runtime, and a way to start other jobs. */
export interface KindContext {
  runtime: Runtime;
  store: JobStore;
  /** The stored job, or JOB_NOT_FOUND. */
  get(jobId: string): Promise<StoredJob>;
  /** An audit record, scrubbed of secrets like every other. */
  audit(jobId: string, kind: string, data: unknown): Promise<unknown>;
  submit(request: JobRequest, options?: SubmitOptions): Promise<{ stored: StoredJob; created: boolean }>;
  /** A job this one created (a review's orphan offboarding): the service starts it like a submitted one. */
  onSpawn?: ((jobId: string) => void) | undefined;
  /** Hooks into a review job run in this process (the CLI's). */
  review?: ReviewHooks | undefined;
}

/** A built job and its request as the store keeps it (a review's roster becomes a file reference). */
export interface BuiltJob {
  job: Job;
  request: JobRequest;
  /** Undoes what `build` wrote outside the store, when the job is not created after all (same idempotency key, or the store refused it). */
  discard?: () => Promise<void>;
}

/**
 * Everything that differs between job kinds, in one place: adding a kind means adding
 * one of these to `jobKinds` (./index.ts). The rest of the lifecycle (store, audit,
 * approval, decisions, resume) is the engine's and the same for all.
 */
export interface JobKindHandler<R extends JobRequest = JobRequest> {
  readonly kind: R['kind'];
  /** A request becomes a job, or is refused (USAGE naming the field) before anything is stored. */
  build(request: R, ctx: KindContext): BuiltJob | Promise<BuiltJob>;
  /**
   * Runs the job by itself, for kinds with no plan or approval (a review reads only).
   * Absent: the engine plans, waits for approval when the policy asks, and applies.
   */
  run?(stored: StoredJob, ctx: KindContext): Promise<StoredJob>;
  /** Whether the requester's own "yes" at a terminal may release it (approval-policy.ts); never for a reversal. */
  readonly requesterMayConfirm: boolean;
  /** Whether a finished job of this kind offers "undo" (a reversal of its changes). */
  readonly undoable: boolean;
  /** Who the job is about when that is not its tasks' people (a review is about everyone: its roster). */
  people?(request: R): string[];
  /** What the job document adds for this kind (a review's summary), read from the store. */
  document?(store: JobStore, stored: StoredJob): Promise<Record<string, unknown>>;
  /** A file in the job's folder that is its report once written (a review's review.html). */
  readonly reportFile?: 'review.html';
}

/** The three kinds that change accounts from a request naming people and apps. */
export interface ActionKindHandler<R extends JobRequest> extends JobKindHandler<R> {
  /** One task target per app (per person and app), the apps checked against the config. */
  targets(request: R, config: LoadedConfig): TaskTarget[];
}

export type RequestOf<K extends JobKind> = K extends 'review' ? StoredReviewRequest : Extract<JobRequest, { kind: K }>;
