import type { LoadedConfig } from '../../src/config/load-config.js';
import { buildJob } from '../../src/engine/build-job.js';
import { actionRequestSchema, jobSchema, type Job, type JobStatus, type Task } from '../../src/model/index.js';
import type { JobMeta } from '../../src/store/job-store.js';

/**
 * Realistic jobs for the store tests: built by the engine's own buildJob, then one
 * task given every nested shape a task can carry (a plan with the app's raw record,
 * read-back, every kind of evidence, an error), so a round-trip proves the store loses
 * nothing. Validated with the model's schemas.
 */
export interface JobSpec {
  createdAt?: string;
  status?: JobStatus;
  dryRun?: boolean;
  apps?: string[];
  email?: string;
  runAt?: string;
  idempotencyKey?: string;
}

/**
 * buildJob only checks app names against config.apps; a full LoadedConfig (driver
 * definitions, credentials) would add nothing here, hence the narrowing cast.
 */
function configWith(apps: readonly string[]): LoadedConfig {
  return { apps: Object.fromEntries(apps.map((app) => [app, {}])) } as Pick<LoadedConfig, 'apps'> as LoadedConfig;
}

/** The task as it looks after a console/API run that needed one retry. */
export function enrichTask(task: Task): Task {
  const before = {
    app: task.app,
    id: 'u-42',
    email: task.subject.email,
    name: 'Ada <b>Lovelace</b> — ünïcode',
    role: 'Admin',
    status: 'active' as const,
    origin: 'scim',
    lastSeen: '2026-01-02T03:04:05.000Z',
    raw: { id: 42, nested: { tags: ['a', 'b'], flag: true, n: null }, z: 1, a: 2 },
  };
  return {
    ...task,
    status: 'succeeded',
    outcome: 'changed',
    detail: 'deactivated',
    plan: { operations: ['deactivate'], summary: 'deactivate Ada (Admin)', before },
    after: { ...before, status: 'inactive' },
    notes: ['re-read before retry'],
    attempts: 2,
    error: { code: 'NETWORK', message: 'reset once', details: { status: 502 } },
    evidence: [
      { kind: 'request', at: '2026-01-02T03:04:06.000Z', method: 'PATCH', url: 'http://127.0.0.1/users/42', status: 200, durationMs: 12.5, requestBody: { active: false } },
      { kind: 'screenshot', at: '2026-01-02T03:04:07.000Z', path: 'shots/1.jpg', sha256: 'ab'.repeat(32), caption: 'after save' },
      { kind: 'note', at: '2026-01-02T03:04:08.000Z', text: 'read back: inactive' },
    ],
    startedAt: '2026-01-02T03:04:05.500Z',
    finishedAt: '2026-01-02T03:04:09.000Z',
  };
}

let counter = 0;

export function makeJob(spec: JobSpec = {}): { job: Job; meta: JobMeta } {
  const apps = spec.apps ?? ['bigid', 'sigma', 'stitch'];
  counter += 1;
  const email = spec.email ?? `person-${counter}-${process.pid}@example.com`;
  const request = actionRequestSchema.parse({ kind: 'offboard', email, apps, dryRun: spec.dryRun ?? false });
  const built = buildJob(request, configWith(apps));
  const job = jobSchema.parse({
    ...built,
    status: spec.status ?? 'planned',
    createdAt: spec.createdAt ?? built.createdAt,
    tasks: built.tasks.map((task, i) => (i === 0 ? enrichTask(task) : task)),
  });
  const meta: JobMeta = { request, requestedBy: 'cli:tester' };
  if (spec.runAt !== undefined) meta.runAt = spec.runAt;
  if (spec.idempotencyKey !== undefined) meta.idempotencyKey = spec.idempotencyKey;
  return { job, meta };
}

/** createdAt values one second apart, oldest first, so "newest first" is checkable. */
export function times(count: number, start = Date.UTC(2026, 0, 1)): string[] {
  return Array.from({ length: count }, (_, i) => new Date(start + i * 1000).toISOString());
}
