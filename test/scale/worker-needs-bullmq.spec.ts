import { test, expect } from '@playwright/test';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { launchFixtures } from '../../fixtures/launch.js';
import { cliProcess } from '../support/cli-run.js';
import { scanRoot } from '../support/scan-root.js';

/**
 * Issue 14 item 4: `seatctl worker` only makes sense with shared queues. On the default
 * config (in-process queues) it refuses with a usage error naming the setting, before
 * it takes anything; so does one whose Redis reference does not resolve.
 */
test('seatctl worker on a memory-queue config: exit 2, naming queue.kind', async () => {
  const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-worker-cfg-'));
  const fx = await launchFixtures({ dir, apps: ['bigid'] });
  try {
    const result = await cliProcess(['worker', '--config', fx.configPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/queue\.kind/);
    expect(result.stderr).toMatch(/bullmq/);
    expect(result.stdout).toBe('');
  } finally {
    await fx.close();
  }
});

test('seatctl worker whose Redis secret reference does not resolve: exit 2, naming queue.redis', async () => {
  const dir = await mkdtemp(path.join(scanRoot(), 'seatctl-worker-cfg-'));
  const fx = await launchFixtures({ dir, apps: ['bigid'], config: { queue: { kind: 'bullmq', redis: 'env:SEATCTL_NO_SUCH_REDIS_VAR' } } });
  try {
    const result = await cliProcess(['worker', '--config', fx.configPath], { SEATCTL_NO_SUCH_REDIS_VAR: undefined });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/queue\.redis/);
  } finally {
    await fx.close();
  }
});
