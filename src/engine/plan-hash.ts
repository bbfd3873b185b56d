import { createHash } from 'node:crypto';
import { canonicalJson } from '../store/canonical-json.js';
import type { AppUser, Job } from '../model/index.js';

/**
 * What an approval binds to: every task's intent and the state it was planned
 * against. The state is reduced to what matters for access (id, email, status, role),
 * so a changed display name does not invalidate an approval but a changed role does.
 */
export function stateDigest(user: AppUser | null): { id: string; email: string; status: string; role: string | null } | null {
  return user ? { id: user.id, email: user.email.toLowerCase(), status: user.status, role: user.role } : null;
}

export function planHash(job: Job): string {
  const basis = {
    job: job.id,
    kind: job.kind,
    tasks: job.tasks.map((t) => ({
      id: t.id,
      app: t.app,
      action: t.action,
      subject: t.subject,
      params: t.params,
      operations: t.plan?.operations ?? null,
      // Which driver does each step is part of what an approver agreed to (API or console).
      ...(t.plan?.steps ? { steps: t.plan.steps } : {}),
      before: stateDigest(t.plan?.before ?? null),
      outcome: t.plan?.operations.length ? null : t.outcome,
    })),
  };
  return createHash('sha256').update(canonicalJson(basis)).digest('hex');
}

export function sameState(a: AppUser | null, b: AppUser | null): boolean {
  return canonicalJson(stateDigest(a)) === canonicalJson(stateDigest(b));
}
