import { z } from 'zod';
import { taskSchema } from './task.js';

/**
 * `planned` is a job that has not started yet (scheduled for `runAt`, or about to
 * plan), a job whose plan is made, or a finished dry run; `planning` is a job whose
 * tasks are reading the apps' current state right now.
 */
export const jobStatusSchema = z.enum(['planned', 'planning', 'awaiting_approval', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobKindSchema = z.enum(['offboard', 'provision', 'set-role', 'review', 'undo']);
export type JobKind = z.infer<typeof jobKindSchema>;

export const jobSchema = z.object({
  id: z.string(),
  kind: jobKindSchema,
  status: jobStatusSchema,
  dryRun: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  tasks: z.array(taskSchema),
});
export type Job = z.infer<typeof jobSchema>;
