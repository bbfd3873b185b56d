import { test, expect } from '@playwright/test';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema } from '../../src/model/index.js';
import { startSimEnv, type SimEnv } from '../support/sim-env.js';

/**
 * Issue 16, "no navigation a task does not need": after a Stitch deactivation the page
 * asks the server for the team again and redraws it, so the read-back is that table,
 * not a second page load. Ground truth: the simulator's request log and its members.
 */
let env: SimEnv;
test.afterEach(async () => env?.close());

test('a Stitch deactivation reads back from the redrawn table: no page load after the change, the member gone in the simulator and in the read-back', async () => {
  env = await startSimEnv(['stitch'], { users: 4 });
  const sim = env.fixtures.stitch!;
  const job = await runToEnd(env.runtime, actionRequestSchema.parse({ kind: 'offboard', email: 'jdoe@example.com', apps: ['stitch'] }), { approvals: NO_APPROVAL_GATE });
  const task = job.tasks[0]!;
  expect(task.outcome).toBe('changed');
  expect(task.after).toBeNull();
  expect(task.notes.join('\n')).toContain('no longer listed');
  expect(sim.store.all().find((m) => m.email === 'jdoe@example.com')?.status).toBe('Deactivated');

  const log = sim.faults.requests.map((r) => `${r.method} ${r.path}`);
  const change = log.findIndex((l) => /^POST \/api\/team\/[^/]+\/deactivate$/.test(l));
  expect(change).toBeGreaterThan(-1);
  const after = log.slice(change + 1);
  // The page's own reload of its data, and no page shell loaded again.
  expect(after).toContain('GET /api/team');
  expect(after.filter((l) => l === 'GET /account/team')).toEqual([]);
});
