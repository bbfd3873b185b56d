import { schedulerForApps } from '../queue/scheduler.js';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEvidenceSink } from '../audit/evidence-sink.js';
import { parseConfig } from '../config/load-config.js';
import { createConsoleRuntime } from '../console/console-runtime.js';
import { runCanary } from '../drivers/canary.js';
import type { DriverDefinition } from '../drivers/definition.js';
import { createRuntime } from '../engine/runtime.js';
import { createLogger } from '../log/logger.js';
import { createRedactor } from '../log/redactor.js';
import type { AppUser } from '../model/index.js';

export interface SmokeInput {
  /** The app's base URL, e.g. from SEATCTL_SMOKE_URL. */
  baseUrl: string;
  /** As in the config: secret fields are references (`env:NAME`, `file:/path`). */
  credentials?: Record<string, string>;
  options?: Record<string, unknown>;
  /** Also look this person up (read-only). */
  email?: string;
  /** Evidence (screenshots, traces, request records) goes here; a temp folder by default. */
  dataDir?: string;
  /** Show the browser (needs a display). */
  headless?: boolean;
  /** Where `env:NAME` secret references are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

export interface SmokeResult {
  /** Users on the first page the canary read. */
  users: number;
  /** The looked-up person, null when absent, undefined when no email was given. */
  found?: AppUser | null;
  evidenceDir: string;
}

/**
 * Runs a driver's read-only checks — sign in, canary, optionally findUser — against a
 * real app URL, with no simulator and no config file: what a new driver's smoke test
 * calls. Everything runs as a dry run, so no mutation can be sent.
 */
export async function runSmoke(definition: DriverDefinition<any, any>, input: SmokeInput): Promise<SmokeResult> {
  const dataDir = input.dataDir ?? (await mkdtemp(path.join(os.tmpdir(), 'seatctl-smoke-')));
  const app = 'smoke';
  const raw = { dataDir, apps: { [app]: { driver: definition.name, baseUrl: input.baseUrl, credentials: input.credentials ?? {}, options: input.options ?? {} } } };
  const config = parseConfig(raw, { [definition.name]: definition }, { source: '(smoke test)', baseDir: process.cwd() });
  const redactor = createRedactor();
  const log = createLogger({ redactor, level: 'warn' });
  const consoleRuntime =
    definition.kind === 'console'
      ? createConsoleRuntime({ dataDir, headless: input.headless ?? true, recycleAfterContexts: 50, screenshots: true, trace: true, persistSessions: false, log })
      : undefined;
  const runtime = createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log), ...(input.env ? { env: input.env } : {}), ...(consoleRuntime ? { console: consoleRuntime } : {}) });
  const evidenceDir = path.join(dataDir, 'smoke');
  const sink = createEvidenceSink(evidenceDir, redactor);
  try {
    runtime.checkSecrets([app]);
    const driver = runtime.driver(app);
    const call = { evidence: sink, dryRun: true };
    const users = await runCanary(driver, call);
    const found = input.email === undefined ? undefined : await driver.findUser(input.email, call);
    return { users, ...(found !== undefined ? { found } : {}), evidenceDir };
  } finally {
    await sink.writeRecord().catch(() => undefined);
    await runtime.close();
  }
}
