import { z } from 'zod';
import { appUserSchema } from './app-user.js';
import { evidenceItemSchema } from './evidence.js';

export const actionSchema = z.enum(['offboard', 'provision', 'set-role', 'reactivate']);
export type Action = z.infer<typeof actionSchema>;

/** Offboarding disables by default; delete only when asked (audit history survives a disable). */
export const offboardModeSchema = z.enum(['deactivate', 'delete']);
export type OffboardMode = z.infer<typeof offboardModeSchema>;

export const subjectSchema = z.object({
  email: z.email(),
  firstName: z.string().max(200).optional(),
  lastName: z.string().max(200).optional(),
});
export type Subject = z.infer<typeof subjectSchema>;

export const taskParamsSchema = z.object({
  role: z.string().min(1).max(200).optional(),
  mode: offboardModeSchema.optional(),
  teams: z.array(z.string().min(1)).optional(),
  /** Offboarding: who receives the leaver's documents before the account is deactivated. */
  transferTo: z.email().optional(),
});
export type TaskParams = z.infer<typeof taskParamsSchema>;

export const taskOutcomeSchema = z.enum(['changed', 'noop', 'not_found', 'planned', 'awaiting_approval', 'failed']);
export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;

export const taskStatusSchema = z.enum(['pending', 'planning', 'planned', 'running', 'succeeded', 'failed', 'cancelled']);
export type TaskStatus = z.infer<typeof taskStatusSchema>;

export const taskErrorSchema = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
export type TaskError = z.infer<typeof taskErrorSchema>;

export const operationSchema = z.enum(['provision', 'set-role', 'deactivate', 'reactivate', 'delete', 'transfer-ownership']);
export type Operation = z.infer<typeof operationSchema>;

/** One planned operation and the driver expected to do it (a routed app may use several). */
export const plannedStepSchema = z.object({ operation: operationSchema, driver: z.string() });
export type PlannedStep = z.infer<typeof plannedStepSchema>;

/** What the plan step found and intends: the basis for dry runs and approvals. */
/** `transfer-ownership via sigma-ui, then deactivate via sigma-api`: how plans show their steps everywhere. */
export function describeSteps(steps: readonly PlannedStep[]): string {
  return steps.map((s) => `${s.operation} via ${s.driver}`).join(', then ');
}

export const plannedChangeSchema = z.object({
  /** Driver operations to run in order; empty when the app is already as wanted. */
  operations: z.array(operationSchema),
  /**
   * The same operations, each with the driver kind that will do it (`sigma-api`,
   * `sigma-ui`). Absent in plans recorded before routing existed.
   */
  steps: z.array(plannedStepSchema).optional(),
  summary: z.string(),
  before: appUserSchema.nullable(),
  /** No account found where absence means "already without access" (see Driver.capabilities). */
  noAccess: z.boolean().optional(),
});
export type PlannedChange = z.infer<typeof plannedChangeSchema>;

export const taskSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  app: z.string(),
  action: actionSchema,
  subject: subjectSchema,
  params: taskParamsSchema,
  status: taskStatusSchema,
  outcome: taskOutcomeSchema.nullable(),
  detail: z.string().nullable(),
  plan: plannedChangeSchema.nullable(),
  after: appUserSchema.nullable(),
  notes: z.array(z.string()),
  attempts: z.number().int(),
  error: taskErrorSchema.nullable(),
  evidence: z.array(evidenceItemSchema),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

/** The state of a task that has not run yet: new jobs, replays and reversals start here. */
export function freshTaskState(): Pick<Task, 'status' | 'outcome' | 'detail' | 'plan' | 'after' | 'notes' | 'attempts' | 'error' | 'evidence' | 'startedAt' | 'finishedAt'> {
  return { status: 'pending', outcome: null, detail: null, plan: null, after: null, notes: [], attempts: 0, error: null, evidence: [], startedAt: null, finishedAt: null };
}
