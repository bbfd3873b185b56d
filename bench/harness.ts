import { schedulerForApps } from '../src/queue/scheduler.js';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchFixtures, type FixtureApp, type LaunchOptions, type LaunchedFixtures } from '../fixtures/launch.js';
import { loadConfigFile } from '../src/config/load-config.js';
import { createConsoleRuntime, type ConsoleRuntime } from '../src/console/console-runtime.js';
import { builtInDrivers } from '../src/composition/built-in-drivers.js';
import { createRuntime, type Runtime } from '../src/engine/runtime.js';
import { createLogger } from '../src/log/logger.js';
import { createRedactor } from '../src/log/redactor.js';

/** Fresh simulators plus a way to make as many independent engines on them as a benchmark needs. */
export interface BenchEnv {
  fixtures: LaunchedFixtures;
  engine(options?: { persistSessions?: boolean }): { runtime: Runtime; consoleRuntime: ConsoleRuntime };
  close(): Promise<void>;
}

export async function benchEnv(apps: FixtureApp[], options: Omit<LaunchOptions, 'dir' | 'apps'>): Promise<BenchEnv> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'seatctl-bench-'));
  const fixtures = await launchFixtures({ dir, apps, ...options });
  const config = await loadConfigFile(fixtures.configPath, builtInDrivers());
  return {
    fixtures,
    engine(engineOptions = {}) {
      const redactor = createRedactor();
      const log = createLogger({ redactor, level: 'error' });
      const consoleRuntime = createConsoleRuntime({
        dataDir: config.dataDir,
        headless: true,
        recycleAfterContexts: 500,
        screenshots: config.browser.screenshots,
        trace: config.browser.trace,
        traceFilmstrip: config.browser.traceFilmstrip,
        persistSessions: engineOptions.persistSessions ?? false,
        log,
      });
      return { runtime: createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log), console: consoleRuntime }), consoleRuntime };
    },
    async close() {
      await fixtures.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
