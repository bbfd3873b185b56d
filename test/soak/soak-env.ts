import { schedulerForApps } from '../../src/queue/scheduler.js';
import { singleTokenAuthenticator } from '../../src/auth/authenticator.js';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pino from 'pino';
import type { ConsoleFaults } from '../../fixtures/common/console-faults.js';
import type { FaultConfig } from '../../fixtures/common/faults.js';
import { FIXTURE_APPS, launchFixtures, type LaunchedFixtures } from '../../fixtures/launch.js';
import type { ApprovalsConfig } from '../../src/config/approval-schema.js';
import { loadConfigFile, type LoadedConfig } from '../../src/config/load-config.js';
import { consoleOptionsFromConfig, createConsoleRuntime, type ConsoleRuntime } from '../../src/console/console-runtime.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { createRuntime, type Runtime } from '../../src/engine/runtime.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import { createService, type Service } from '../../src/service/service.js';
import { openJobStore } from '../../src/store/index.js';

/**
 * The four simulators (one seed, so they share their people) and the job service in
 * this process, wired as `seatctl serve` wires it: real SQLite store in the data dir,
 * the real console runtime and browser pool, listening on loopback with a token.
 */
export interface SoakEnvOptions {
  dir: string;
  /** Generated people in BigID and Sigma. */
  users: number;
  /** Generated people in the consoles (Stitch, Bill.com): real teams there are smaller. */
  consoleUsers: number;
  seed: number;
  /** HTTP faults of the API simulators (BigID, Sigma). */
  faults: Partial<FaultConfig>;
  /** HTTP faults of the consoles' own backends (their JSON APIs, and Bill.com's sign-in). */
  consoleHttpFaults: Partial<FaultConfig>;
  consoleFaults: Partial<ConsoleFaults>;
  approvals: ApprovalsConfig;
  /** Playwright traces of console calls (the production default is on). */
  trace: boolean;
}

export interface SoakEnv {
  fixtures: LaunchedFixtures;
  config: LoadedConfig;
  runtime: Runtime;
  consoleRuntime: ConsoleRuntime;
  service: Service;
  url: string;
  token: string;
  logFile: string;
}

export async function startSoakEnv(options: SoakEnvOptions): Promise<SoakEnv> {
  const same = { seed: options.seed };
  const fixtures = await launchFixtures({
    dir: options.dir,
    apps: FIXTURE_APPS,
    users: options.users,
    // Three console tasks per app at once (the default is two): more browser contexts in the pool.
    config: { browser: { trace: options.trace } },
    appConfig: { stitch: { concurrency: 3 }, billcom: { concurrency: 3 } },
    simulators: {
      bigid: { ...same, faults: options.faults },
      sigma: { ...same, faults: options.faults },
      stitch: { ...same, users: options.consoleUsers, faults: options.consoleHttpFaults, consoleFaults: options.consoleFaults },
      billcom: { ...same, users: options.consoleUsers, faults: options.consoleHttpFaults, consoleFaults: options.consoleFaults },
    },
  });
  try {
    const config = await loadConfigFile(fixtures.configPath, builtInDrivers());
    const redactor = createRedactor();
    const logFile = path.join(options.dir, 'service.log');
    const log = createLogger({ redactor, level: 'warn', destination: pino.destination({ dest: logFile, sync: true, mkdir: true }) });
    const consoleRuntime = createConsoleRuntime(consoleOptionsFromConfig(config, log));
    const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log), console: consoleRuntime });
    const token = randomBytes(24).toString('hex');
    const store = await openJobStore(config);
    const service = createService({ config, runtime, store, approvals: options.approvals, log, auth: singleTokenAuthenticator(token) });
    await service.start();
    const url = await service.app.listen({ host: '127.0.0.1', port: 0 });
    return { fixtures, config, runtime, consoleRuntime, service, url, token, logFile };
  } catch (err) {
    await fixtures.close();
    throw err;
  }
}
