import { test, expect } from '@playwright/test';
import type { ApprovalsConfig } from '../../src/config/approval-schema.js';
import { DEFAULT_APPROVALS } from '../../src/config/approval-schema.js';
import { approvalRequirement } from '../../src/engine/approval-policy.js';
import { buildJob } from '../../src/engine/build-job.js';
import { verifyAuditChain } from '../../src/store/audit-chain.js';
import { openJobStore } from '../../src/store/index.js';
import { groundTruth, writeCliConfig } from '../support/api-env.js';
import { cli } from '../support/cli-run.js';
import { startServiceEnv, type ServiceEnv } from '../support/service-env.js';

/**
 * Issue 13 item 2 (separation of duties): a job's requester never approves or rejects it
 * (unless approvals.allowSelfApproval), a plan can need N distinct approvers of its
 * current hash, a rejection ends the job cancelled with its reason, and every decision is
 * in the audit chain, the job document and the report. Ground truth: the simulators'
 * mutation logs and the store's audit chain.
 */
const TOKENS = {
  alice: 'alice-requester-approver-01', // may submit and approve, but never her own job
  bob: 'bob-approver-token-00000002',
  dave: 'dave-approver-token-0000003',
};
const as = (who: keyof typeof TOKENS) => ({ authorization: `Bearer ${TOKENS[who]}` });
const principals = [
  { name: 'alice', roles: ['requester', 'approver'] as const, token: TOKENS.alice },
  { name: 'bob', roles: ['approver'] as const, token: TOKENS.bob },
  { name: 'dave', roles: ['approver'] as const, token: TOKENS.dave },
].map((p) => ({ ...p, roles: [...p.roles] }));

let env: ServiceEnv;
const start = async (approvals: Partial<ApprovalsConfig> = {}) => {
  env = await startServiceEnv({ principals, approvals });
};
test.afterEach(async () => env?.close());

const mutations = async () => ({ bigid: (await groundTruth(env.bigid.stateUrl)).mutations.length, sigma: (await groundTruth(env.sigma.stateUrl)).mutations.length });
const job = async (id: string) => (await env.call('GET', `/v1/jobs/${id}`)).json.job;
async function auditOf(id: string) {
  const store = await openJobStore(env.config);
  try {
    return await store.audit(id);
  } finally {
    await store.close();
  }
}

/** alice asks for an offboarding that waits for approval; resolves with the waiting job. */
async function aliceSubmits(body: Record<string, unknown> = {}) {
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], requireApproval: true, ...body }, as('alice'));
  expect(created.status, created.text).toBe(202);
  return env.waitFor(created.json.job.id, ['awaiting_approval']);
}

test('issue 13 item 2: the requester cannot approve their own job over HTTP (403 SELF_APPROVAL) and nothing changes; another approver runs it', async () => {
  await start();
  const waiting = await aliceSubmits();
  const self = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('alice'));
  expect(self.status).toBe(403);
  expect(self.json.error.code).toBe('SELF_APPROVAL');
  expect(self.json.error.message).toContain('another person');

  const still = await job(waiting.id);
  expect(still).toMatchObject({ status: 'awaiting_approval', requestedBy: 'token:alice', approval: { required: true, approvers: 1, needed: 1, approvals: [], rejection: null, approvedHash: null } });
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });
  expect((await auditOf(waiting.id)).map((r) => r.kind)).not.toContain('approved');

  // The single admin token is one identity too: it may not approve what it submitted.
  const adminJob = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'asmith@example.com', apps: ['bigid'], requireApproval: true });
  const adminWaiting = await env.waitFor(adminJob.json.job.id, ['awaiting_approval']);
  const adminSelf = await env.call('POST', `/v1/jobs/${adminWaiting.id}/approve`, { planHash: adminWaiting.planHash });
  expect(adminSelf.status).toBe(403);
  expect(adminSelf.json.error.code).toBe('SELF_APPROVAL');

  const approved = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('bob'));
  expect(approved.status, approved.text).toBe(200);
  const done = await env.waitFor(waiting.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(done.approval.approvals).toEqual([{ by: 'token:bob', at: expect.any(String), planHash: waiting.planHash }]);
  expect(done.approval).toMatchObject({ approvedBy: 'token:bob', approvedHash: waiting.planHash, needed: 0 });
  expect(await mutations()).toEqual({ bigid: 1, sigma: 0 });
});

test('issue 13 item 2: approvals.allowSelfApproval lets a one-person team approve its own job', async () => {
  await start({ allowSelfApproval: true });
  const waiting = await aliceSubmits();
  const self = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('alice'));
  expect(self.status, self.text).toBe(200);
  expect((await env.waitFor(waiting.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  expect(await mutations()).toEqual({ bigid: 1, sigma: 0 });
});

test('issue 13 item 2: a 2-approver rule — one approval leaves the job waiting, the same approver twice and a stale hash do not count, a second approver runs it', async () => {
  // Two accounts over a blast radius of 1, which asks for two approvers.
  await start({ blastRadius: 1, blastRadiusApprovers: 2 });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] }, as('alice'));
  const waiting = await env.waitFor(created.json.job.id, ['awaiting_approval']);
  expect(waiting.approval).toMatchObject({ approvers: 2, needed: 2 });

  const first = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('bob'));
  expect(first.status, first.text).toBe(200);
  expect(first.json.job.approval).toMatchObject({ needed: 1, approvedHash: null });
  // Give a wrongly launched job the time to act, then check nothing did.
  await env.service.idle();
  expect((await job(waiting.id)).status).toBe('awaiting_approval');
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });

  const twice = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('bob'));
  expect(twice.status).toBe(409);
  expect(twice.json.error.message).toContain('already approved');
  const stale = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: 'f'.repeat(64) }, as('dave'));
  expect(stale.status).toBe(409);
  expect(stale.json.error.field).toBe('planHash');
  expect((await job(waiting.id)).approval).toMatchObject({ needed: 1, approvals: [{ by: 'token:bob' }] });

  const second = await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('dave'));
  expect(second.status, second.text).toBe(200);
  const done = await env.waitFor(waiting.id, ['succeeded', 'failed']);
  expect(done.status).toBe('succeeded');
  expect(done.approval.approvals.map((a: { by: string }) => a.by)).toEqual(['token:bob', 'token:dave']);
  expect(await mutations()).toEqual({ bigid: 1, sigma: 1 });

  const approvals = (await auditOf(waiting.id)).filter((r) => r.kind === 'approved').map((r) => r.data);
  expect(approvals).toEqual([
    { planHash: waiting.planHash, by: 'token:bob', at: expect.any(String), approvals: 1, required: 2, complete: false },
    { planHash: waiting.planHash, by: 'token:dave', at: expect.any(String), approvals: 2, required: 2, complete: true },
  ]);
});

test('issue 13 item 2: two approvers at once — exactly one completes, the job runs once', async () => {
  await start({ blastRadius: 1, blastRadiusApprovers: 2 });
  const created = await env.call('POST', '/v1/jobs', { kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid', 'sigma'] }, as('alice'));
  const waiting = await env.waitFor(created.json.job.id, ['awaiting_approval']);
  const [b, d] = await Promise.all([
    env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('bob')),
    env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('dave')),
  ]);
  expect([b.status, d.status]).toEqual([200, 200]);
  expect([b, d].filter((r) => r.json.job.approval.approvedHash === waiting.planHash)).toHaveLength(1);
  expect((await env.waitFor(waiting.id, ['succeeded', 'failed'])).status).toBe('succeeded');
  await env.service.idle();
  expect(await mutations()).toEqual({ bigid: 1, sigma: 1 });
  const kinds = (await auditOf(waiting.id)).map((r) => r.kind);
  expect(kinds.filter((k) => k === 'finished')).toHaveLength(1);
  expect((await auditOf(waiting.id)).filter((r) => r.kind === 'approved' && (r.data as { complete: boolean }).complete)).toHaveLength(1);
});

test('issue 13 item 2: reject with a reason ends the job cancelled; the reason is in the audit chain and the report; the requester cannot reject', async () => {
  await start();
  const waiting = await aliceSubmits();
  const self = await env.call('POST', `/v1/jobs/${waiting.id}/reject`, { planHash: waiting.planHash, reason: 'changed my mind' }, as('alice'));
  expect(self.status).toBe(403);
  expect(self.json.error.code).toBe('SELF_APPROVAL');
  const noReason = await env.call('POST', `/v1/jobs/${waiting.id}/reject`, { planHash: waiting.planHash, reason: '  ' }, as('bob'));
  expect(noReason.status).toBe(400);
  expect(noReason.json.error.field).toBe('reason');
  expect((await env.call('POST', `/v1/jobs/${waiting.id}/reject`, { planHash: 'e'.repeat(64), reason: 'no' }, as('bob'))).status).toBe(409);
  expect((await job(waiting.id)).status).toBe('awaiting_approval');

  const reason = 'jdoe moves to the <finance> team, not out';
  // A credential pasted into a reason is scrubbed like everywhere else.
  const leaky = await aliceSubmits({ email: 'asmith@example.com' });
  await env.call('POST', `/v1/jobs/${leaky.id}/reject`, { planHash: leaky.planHash, reason: `use ${env.bigid.credentials.password} instead` }, as('bob'));
  const leakyDoc = await env.call('GET', `/v1/jobs/${leaky.id}`);
  expect(leakyDoc.json.job.approval.rejection.reason).not.toContain(env.bigid.credentials.password);
  expect((await env.call('GET', `/v1/jobs/${leaky.id}/report`)).text).not.toContain(env.bigid.credentials.password);
  const rejected = await env.call('POST', `/v1/jobs/${waiting.id}/reject`, { planHash: waiting.planHash, reason }, as('bob'));
  expect(rejected.status, rejected.text).toBe(200);
  const after = await job(waiting.id);
  expect(after).toMatchObject({ status: 'cancelled', approval: { needed: 0, rejection: { by: 'token:bob', reason, planHash: waiting.planHash } } });
  const store = await openJobStore(env.config);
  expect((await store.get(waiting.id))!.job.tasks.map((t) => t.status)).toEqual(['cancelled']);
  await store.close();
  expect((await env.call('POST', `/v1/jobs/${waiting.id}/approve`, { planHash: waiting.planHash }, as('dave'))).status).toBe(409);
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });

  const audit = await auditOf(waiting.id);
  expect(verifyAuditChain(audit)).toEqual({ ok: true });
  expect(audit.find((r) => r.kind === 'rejected')!.data).toEqual({ planHash: waiting.planHash, by: 'token:bob', at: after.approval.rejection.at, reason });

  const report = await env.call('GET', `/v1/jobs/${waiting.id}/report`);
  expect(report.status).toBe(200);
  expect(report.text).toContain('requested by <strong>token:alice</strong>');
  expect(report.text).toContain('jdoe moves to the &lt;finance&gt; team, not out');
  expect(report.text).toContain('token:bob');
});

test('issue 13 item 2: the policy asks for the most approvers among what tripped', () => {
  const config = { apps: { bigid: {}, sigma: {} } } as never;
  const job = buildJob({ kind: 'offboard', email: 'x@example.com', apps: ['bigid', 'sigma'], mode: 'delete', dryRun: false, requireApproval: false }, config);
  for (const t of job.tasks) t.plan = { operations: ['delete'], summary: 'delete', before: null };
  const policy: ApprovalsConfig = { ...DEFAULT_APPROVALS, blastRadius: 1, blastRadiusApprovers: 2, require: [{ action: 'delete', app: 'sigma', approvers: 3 }, { action: 'delete' }] };
  expect(approvalRequirement(job, policy, false).approvers).toBe(3);
  expect(approvalRequirement(job, { ...policy, require: [{ action: 'delete' }] }, false).approvers).toBe(2);
  expect(approvalRequirement(job, { ...policy, blastRadius: 10, require: [] }, true)).toEqual({ reasons: ['the request asked for approval'], approvers: 1 });
  expect(approvalRequirement(job, { ...policy, blastRadius: 10, require: [] }, false)).toEqual({ reasons: [], approvers: 0 });
});

test('issue 13 item 2: in the CLI the requester cannot approve or reject their own job (exit 2); allowSelfApproval lets them', async () => {
  await start();
  const approvals = { require: [{ action: 'offboard' }] };
  const strict = writeCliConfig(env, { name: 'strict.json', extra: { approvals } });
  const lenient = writeCliConfig(env, { name: 'lenient.json', extra: { approvals: { ...approvals, allowSelfApproval: true } } });

  const human = await cli(['offboard', 'asmith@example.com', '--apps', 'bigid', '--yes', '--config', strict]);
  expect(human.code, human.stderr).toBe(1);
  expect(human.stdout).toMatch(/approve \(another person: you, cli:[^,]+, requested it\): seatctl jobs approve/);

  const planned = await cli(['--json', 'offboard', 'jdoe@example.com', '--apps', 'bigid', '--yes', '--config', strict]);
  expect(planned.code, planned.stderr).toBe(1);
  const doc = JSON.parse(planned.stdout).job;
  expect(doc.status).toBe('awaiting_approval');
  expect(doc.requestedBy).toMatch(/^cli:/);

  const self = await cli(['jobs', 'approve', doc.id, '--hash', doc.planHash, '--config', strict]);
  expect(self.code, self.stderr).toBe(2);
  expect(self.stderr).toContain('may not approve');
  const selfReject = await cli(['jobs', 'reject', doc.id, '--hash', doc.planHash, '--reason', 'no', '--config', strict]);
  expect(selfReject.code, selfReject.stderr).toBe(2);
  const shown = await cli(['jobs', 'show', doc.id, '--config', strict]);
  expect(shown.stdout).toContain(`requested by ${doc.requestedBy}`);
  expect(shown.stdout).toContain('REQUIRED: 0 of 1 approval(s); 1 more needed');
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });

  const allowed = await cli(['--json', 'jobs', 'approve', doc.id, '--hash', doc.planHash, '--config', lenient]);
  expect(allowed.code, allowed.stderr).toBe(0);
  expect(JSON.parse(allowed.stdout).job).toMatchObject({ status: 'succeeded', approval: { approvals: [{ by: doc.requestedBy }] } });
  expect(await mutations()).toEqual({ bigid: 1, sigma: 0 });
});

test('issue 13 item 2: jobs approve/reject --server: the requester gets exit 2, an approver rejects with a reason', async () => {
  await start();
  const url = await env.service.app.listen({ host: '127.0.0.1', port: 0 });
  const waiting = await aliceSubmits();
  const self = await cli(['jobs', 'approve', waiting.id, '--hash', waiting.planHash, '--server', url], { SEATCTL_TOKEN: TOKENS.alice });
  expect(self.code, self.stderr).toBe(2);
  expect(self.stderr).toContain('may not approve');
  const rejected = await cli(['jobs', 'reject', waiting.id, '--hash', waiting.planHash, '--reason', 'wrong person', '--server', url], { SEATCTL_TOKEN: TOKENS.bob });
  expect(rejected.code, rejected.stderr).toBe(0);
  expect(rejected.stdout).toContain('rejected');
  expect(rejected.stdout + rejected.stderr).not.toContain(TOKENS.bob);
  expect(await job(waiting.id)).toMatchObject({ status: 'cancelled', approval: { rejection: { by: 'token:bob', reason: 'wrong person' } } });
  expect(await mutations()).toEqual({ bigid: 0, sigma: 0 });
});

test('issue 13 item 2: a terminal "yes" releases only what the requester may release: their own ask, never a policy approval', async () => {
  await start({ require: [{ action: 'offboard', app: 'sigma' }] });
  const engine = env.service.engine;
  const asked = await engine.submit({ kind: 'offboard', email: 'jdoe@example.com', apps: ['bigid'], mode: 'deactivate', dryRun: false, requireApproval: true }, { requestedBy: 'cli:pat' });
  const waiting = await engine.process(asked.stored.job.id);
  expect(waiting.job.status).toBe('awaiting_approval');
  // Waiting only because the terminal asked: the person's own "yes" releases it.
  const confirmed = await engine.confirm(waiting.job.id, waiting.planHash!, 'cli:pat');
  expect(confirmed.approvedHash).toBe(waiting.planHash);

  const policy = await engine.submit({ kind: 'offboard', email: 'asmith@example.com', apps: ['sigma'], mode: 'deactivate', dryRun: false, requireApproval: true }, { requestedBy: 'cli:pat' });
  const held = await engine.process(policy.stored.job.id);
  await expect(engine.confirm(held.job.id, held.planHash!, 'cli:pat')).rejects.toMatchObject({ code: 'SELF_APPROVAL' });
  const still = await job(held.job.id);
  expect(still).toMatchObject({ status: 'awaiting_approval', approval: { approvals: [] } });
  expect((await groundTruth(env.sigma.stateUrl)).mutations).toHaveLength(0);
});
