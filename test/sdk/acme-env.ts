import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile, type LoadedConfig } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { buildJob } from '../../src/engine/build-job.js';
import type { Runtime } from '../../src/engine/runtime.js';
import { runJob } from '../../src/engine/run-job.js';
import { createTestEngine } from '../support/test-engine.js';
import { actionRequestSchema, type Job, type JobRequestInput } from '../../src/model/index.js';
import { startAcmeConsole, type AcmeConsole } from './acme/acme-console.js';
import { registerSecret, saveCapturedLogs, scanTempDir } from '../support/scan-root.js';

/**
 * The Acme simulator plus a config that names the Acme driver by path, written next
 * to the driver (`"driver": "./acme/driver.ts"`), and an engine loaded from that file
 * exactly as the CLI loads it. Secrets and data live in a temp folder.
 */
export interface AcmeEnv {
  acme: AcmeConsole;
  configFile: string;
  config: LoadedConfig;
  runtime: Runtime;
  logs: string[];
  dataDir: string;
  run(request: JobRequestInput): Promise<Job>;
  close(): Promise<void>;
}

export const SDK_TEST_DIR = path.dirname(fileURLToPath(import.meta.url));

export async function startAcmeEnv(options: { whatsNew?: boolean } = {}): Promise<AcmeEnv> {
  const acme = await startAcmeConsole(options);
  // Under the scan root, and kept after close: the final secret scan reads it.
  const tmp = scanTempDir('seatctl-acme-');
  registerSecret(acme.credentials.password, 'acme password');
  await writeFile(path.join(tmp, 'acme-password'), acme.credentials.password, { mode: 0o600 });
  const dataDir = path.join(tmp, 'data');
  // One file per env (tests run in parallel workers), removed on close.
  const configFile = path.join(SDK_TEST_DIR, `.acme-config-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    configFile,
    JSON.stringify({
      dataDir,
      apps: {
        acme: {
          driver: './acme/driver.ts',
          baseUrl: acme.url,
          credentials: { email: acme.credentials.email, password: `file:${path.join(tmp, 'acme-password')}` },
          options: { locatorTimeoutMs: 5000 },
        },
      },
    }),
  );
  const config = await loadConfigFile(configFile, builtInDrivers());
  const { runtime, logs } = createTestEngine(config);
  return {
    acme,
    configFile,
    config,
    runtime,
    logs,
    dataDir,
    run: (request) => runJob(buildJob(actionRequestSchema.parse(request), config), runtime),
    async close() {
      await runtime.close();
      await acme.close();
      await rm(configFile, { force: true });
      saveCapturedLogs(tmp, logs);
    },
  };
}
