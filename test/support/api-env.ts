import { schedulerForApps } from '../../src/queue/scheduler.js';
import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type LoadedConfig } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor, type Redactor } from '../../src/log/redactor.js';
import { createRuntime, type Runtime } from '../../src/engine/runtime.js';
import type { ArtifactStore } from '../../src/audit/artifact-store.js';
import { NO_APPROVAL_GATE, runToEnd } from '../../src/engine/run-to-end.js';
import { actionRequestSchema, type Job, type JobRequestInput } from '../../src/model/index.js';
import { startBigIdSimulator, type BigIdSimulator, type BigIdSimulatorOptions } from '../../fixtures/bigid/index.js';
import { startSigmaSimulator, type SigmaSimulator, type SigmaSimulatorOptions } from '../../fixtures/sigma/index.js';
import { registerSecret, saveCapturedLogs, scanTempDir } from './scan-root.js';

/**
 * A real engine against real simulators on port 0, with logs captured in memory so
 * tests can scan them for secrets. Retries are fast here (small backoff) so fault
 * tests stay quick; the policy logic is the production one.
 */
export interface ApiEnv {
  bigid: BigIdSimulator;
  sigma: SigmaSimulator;
  config: LoadedConfig;
  runtime: Runtime;
  redactor: Redactor;
  logs: string[];
  dir: string;
  secrets: string[];
  run(request: JobRequestInput): Promise<Job>;
  close(): Promise<void>;
}

export interface ApiEnvOptions {
  bigid?: BigIdSimulatorOptions;
  sigma?: SigmaSimulatorOptions;
  bigidOptions?: Record<string, unknown>;
  sigmaOptions?: Record<string, unknown>;
  retry?: Record<string, number>;
  /** More top-level config keys (e.g. `notifications`). */
  config?: Record<string, unknown>;
  /** The artifact store the runtime writes evidence to (default: files under the data dir). */
  artifacts?: ArtifactStore;
}

export async function startApiEnv(options: ApiEnvOptions = {}): Promise<ApiEnv> {
  // Under the scan root, and kept after close: the final secret scan reads it.
  const dir = scanTempDir('seatctl-test-');
  const bigid = await startBigIdSimulator(options.bigid);
  const sigma = await startSigmaSimulator(options.sigma);
  registerSecret(bigid.credentials.password, 'bigid password');
  registerSecret(sigma.credentials.clientSecret, 'sigma client secret');
  registerSecret(sigma.credentials.scimToken, 'sigma SCIM token');
  await writeFile(path.join(dir, 'bigid-password'), bigid.credentials.password, { mode: 0o600 });
  await writeFile(path.join(dir, 'sigma-secret'), sigma.credentials.clientSecret, { mode: 0o600 });
  const raw = {
    dataDir: 'data',
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 50, throttleDelayMs: 20, maxThrottleWaits: 10, ...options.retry },
    apps: {
      bigid: {
        driver: 'bigid-api',
        baseUrl: `${bigid.url}/api/v1`,
        credentials: { username: bigid.credentials.username, password: 'file:bigid-password' },
        options: options.bigidOptions ?? {},
      },
      sigma: {
        driver: 'sigma-api',
        baseUrl: `${sigma.url}/v2`,
        credentials: { clientId: sigma.credentials.clientId, clientSecret: 'file:sigma-secret' },
        options: options.sigmaOptions ?? {},
      },
    },
    ...options.config,
  };
  const config = parseConfig(raw, builtInDrivers(), { source: path.join(dir, 'seatctl.config.json'), baseDir: dir });
  const redactor = createRedactor();
  const logs: string[] = [];
  const log = createLogger({ redactor, level: 'debug', destination: { write: (line: string) => void logs.push(line) } });
  const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log), ...(options.artifacts ? { artifacts: options.artifacts } : {}) });
  return {
    bigid,
    sigma,
    config,
    runtime,
    redactor,
    logs,
    dir,
    secrets: [bigid.credentials.password, sigma.credentials.clientSecret, sigma.credentials.scimToken],
    async run(request) {
      return runToEnd(runtime, actionRequestSchema.parse(request), { approvals: NO_APPROVAL_GATE });
    },
    async close() {
      await runtime.close();
      await Promise.allSettled([bigid.close(), sigma.close()]);
      for (const t of bigid.issuedTokens()) registerSecret(t, 'bigid session token');
      for (const t of sigma.issuedTokens()) registerSecret(t, 'sigma access token');
      saveCapturedLogs(dir, logs);
    },
  };
}

export async function groundTruth<T = { users: Record<string, unknown>[]; mutations: { method: string; path: string; userId: string }[] }>(stateUrl: string): Promise<T> {
  const res = await fetch(stateUrl);
  return (await res.json()) as T;
}

/**
 * A config file for the CLI on this env's simulators (the secrets are the `file:`
 * references the env wrote into its folder); returns its path.
 */
export function writeCliConfig(env: ApiEnv, options: { name?: string; dataDir?: string; apps?: ('bigid' | 'sigma')[]; extra?: Record<string, unknown> } = {}): string {
  const apps = {
    bigid: { driver: 'bigid-api', baseUrl: `${env.bigid.url}/api/v1`, credentials: { username: env.bigid.credentials.username, password: 'file:bigid-password' } },
    sigma: { driver: 'sigma-api', baseUrl: `${env.sigma.url}/v2`, credentials: { clientId: env.sigma.credentials.clientId, clientSecret: 'file:sigma-secret' } },
  };
  const chosen = Object.fromEntries((options.apps ?? ['bigid', 'sigma']).map((a) => [a, apps[a]]));
  const file = path.join(env.dir, options.name ?? 'cli.config.json');
  writeFileSync(file, JSON.stringify({ dataDir: options.dataDir ?? 'cli-data', apps: chosen, ...options.extra }));
  return file;
}
