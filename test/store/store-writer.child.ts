import { createSqliteJobStore } from '../../src/store/sqlite-job-store.js';
import { makeJob } from './store-fixtures.js';

/**
 * Child process for the kill -9 test: writes job after job through the real store and
 * prints `acked <jobId>` only after every write for that job has resolved. The parent
 * kills it with SIGKILL mid-stream; every acked job must then be on disk, whole.
 */
const file = process.argv[2];
if (!file) throw new Error('usage: store-writer.child.ts <db file>');
const store = createSqliteJobStore({ file });

for (;;) {
  const { job, meta } = makeJob({ status: 'running', apps: ['bigid', 'sigma'] });
  await store.create(job, meta);
  await store.saveTask({ ...job.tasks[1]!, status: 'running' });
  await store.recordAttempt(job.id, { taskId: job.tasks[1]!.id, operation: 'deactivate', phase: 'mutating', at: new Date().toISOString() });
  await store.appendAudit(job.id, 'task.mutating', { task: job.tasks[1]!.id });
  await store.appendAudit(job.id, 'task.mutated', { task: job.tasks[1]!.id });
  process.stdout.write(`acked ${job.id}\n`);
}
