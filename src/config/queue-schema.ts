import { z } from 'zod';
import { secretRefSchema } from './secret-ref.js';

/**
 * Where task steps and job runs are queued. `memory` is one process's own p-queues
 * (the default: `demo` and one machine need nothing else). `bullmq` shares queues on
 * Redis between any number of `seatctl worker` and `seatctl serve` processes; the
 * store stays the source of truth, Redis only dispatches (docs/scale-out.md).
 */
export const memoryQueueSchema = z.object({ kind: z.literal('memory').describe('in-process p-queues per app, in this process only (the default)') }).strict().describe('in-process per-app queues (one machine, one process)');

export const bullmqQueueSchema = z
  .object({
    kind: z.literal('bullmq').describe('BullMQ queues on Redis, shared by every serve and worker with the same prefix'),
    redis: secretRefSchema.describe('the Redis URL (`redis://[user:pass@]host:6379/0`) as a secret reference `env:NAME` or `file:/path`: it may hold a password, so it is never written into the config or logged'),
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits and _ . - (1-64)')
      .default('seatctl')
      .describe('Redis key prefix: processes with the same prefix share queues; another prefix is another deployment on the same Redis'),
    lockDurationMs: z
      .number()
      .int()
      .min(2_000)
      .max(600_000)
      .default(30_000)
      .describe('how long a worker owns a queued job between lock renewals (renewed every half of it); also the length of the store leases on jobs and tasks. A dead worker\'s job is taken over after at most this plus `stalledIntervalMs`'),
    stalledIntervalMs: z.number().int().min(1_000).max(600_000).default(15_000).describe('how often workers look for jobs whose owner stopped renewing its lock (a killed worker)'),
    sweepIntervalMs: z
      .number()
      .int()
      .min(500)
      .max(3_600_000)
      .default(30_000)
      .describe('how often each worker re-queues unfinished and due jobs from the store, so a Redis that lost its data loses no job'),
    stepConcurrency: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe("the most steps of one app this process runs at once (default: the app's `concurrency`). Set it to what one machine can carry (its browser pool, its CPU) so more workers add capacity; the app's `concurrency` still caps all workers together"),
    jobConcurrency: z.number().int().min(1).max(1000).default(50).describe('job runs one process coordinates at once (they mostly wait for task steps)'),
  })
  .strict()
  .describe('BullMQ queues on Redis, shared by every worker and serve process');

export const queueConfigSchema = z.discriminatedUnion('kind', [memoryQueueSchema, bullmqQueueSchema]).describe('`memory` (default) or `bullmq` (several processes on shared Redis)');
export type QueueConfig = z.infer<typeof queueConfigSchema>;
export type BullmqQueueConfig = z.infer<typeof bullmqQueueSchema>;
export const DEFAULT_QUEUE: QueueConfig = { kind: 'memory' };
