import { launchFixtures, type FixtureApp, type LaunchOptions, type LaunchedFixtures } from '../../fixtures/launch.js';
import { loadConfigFile, type LoadedConfig } from '../../src/config/load-config.js';
import type { ConsoleRuntime } from '../../src/console/console-runtime.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { buildJob } from '../../src/engine/build-job.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { runJob } from '../../src/engine/run-job.js';
import type { Redactor } from '../../src/log/redactor.js';
import { createTestEngine } from './test-engine.js';
import { actionRequestSchema, type Job, type JobRequestInput } from '../../src/model/index.js';
import { registerSecret, saveCapturedLogs, scanTempDir } from './scan-root.js';

/**
 * Simulators of any of the four apps, the config `fixtures up` would write for them,
 * and an in-process engine on that config with a real browser runtime. Logs are
 * captured for secret scans.
 */
export interface SimEnv {
  fixtures: LaunchedFixtures;
  config: LoadedConfig;
  runtime: Runtime;
  consoleRuntime: ConsoleRuntime;
  redactor: Redactor;
  logs: string[];
  dir: string;
  run(request: JobRequestInput): Promise<Job>;
  close(): Promise<void>;
}

export async function startSimEnv(apps: FixtureApp[], options: Omit<LaunchOptions, 'dir' | 'apps'> = {}): Promise<SimEnv> {
  // Under the scan root, and kept after close: the final secret scan reads it.
  const dir = scanTempDir('seatctl-sim-');
  const fixtures = await launchFixtures({
    dir,
    apps,
    ...options,
    config: { retry: { attempts: 4, baseDelayMs: 20, maxDelayMs: 200, throttleDelayMs: 50, maxThrottleWaits: 10 }, ...options.config },
  });
  for (const secret of fixtures.secrets) registerSecret(secret, 'simulator credential');
  const config = await loadConfigFile(fixtures.configPath, builtInDrivers());
  const { runtime, consoleRuntime, redactor, logs } = createTestEngine(config);
  return {
    fixtures,
    config,
    runtime,
    consoleRuntime,
    redactor,
    logs,
    dir,
    run: (request) => runJob(buildJob(actionRequestSchema.parse(request), config), runtime),
    async close() {
      await runtime.close();
      await fixtures.close();
      for (const t of [...(fixtures.bigid?.issuedTokens() ?? []), ...(fixtures.sigma?.issuedTokens() ?? [])]) registerSecret(t, 'simulator-issued token');
      saveCapturedLogs(dir, logs);
    },
  };
}
