import { schedulerForApps } from '../../src/queue/scheduler.js';
import type { LoadedConfig } from '../../src/config/load-config.js';
import { consoleOptionsFromConfig, createConsoleRuntime, type ConsoleRuntime } from '../../src/console/console-runtime.js';
import { createRuntime, type Runtime } from '../../src/engine/runtime.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor, type Redactor } from '../../src/log/redactor.js';

/**
 * An in-process engine on a loaded config, as the CLI builds one, with logs captured
 * in memory (tests scan them for secrets) and the test Chromium for console apps.
 */
export interface TestEngine {
  runtime: Runtime;
  consoleRuntime: ConsoleRuntime;
  redactor: Redactor;
  logs: string[];
}

export function createTestEngine(config: LoadedConfig, options: { env?: NodeJS.ProcessEnv } = {}): TestEngine {
  const redactor = createRedactor();
  const logs: string[] = [];
  const log = createLogger({ redactor, level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  // The browser starts on first use only, so API-only tests pay nothing for this.
  const consoleRuntime = createConsoleRuntime({
    ...consoleOptionsFromConfig(config, log),
    headless: true,
    executablePath: process.env.SEATCTL_TEST_CHROMIUM,
  });
  const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log), console: consoleRuntime, ...(options.env ? { env: options.env } : {}) });
  return { runtime, consoleRuntime, redactor, logs };
}
