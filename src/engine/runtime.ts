import { createSecretResolver } from '../config/secret-ref.js';
import type { LoadedConfig, ResolvedApp, ResolvedDriver } from '../config/load-config.js';
import { createRoutedDriver } from '../drivers/routed-driver.js';
import type { Driver } from '../drivers/driver.js';
import { SeatctlError } from '../errors/index.js';
import { createHttpClient } from '../http/http-client.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { Scheduler } from '../queue/scheduler.js';
import type { ArtifactStore } from '../audit/artifact-store.js';
import { createFileArtifactStore } from '../audit/file-artifact-store.js';
import { jobDir } from '../audit/job-folder.js';

/**
 * Everything a process needs to run tasks: one driver and one queue per app, made
 * once and shared by every job (so sessions, tokens and browser contexts are reused).
 */
export interface Runtime {
  config: LoadedConfig;
  log: Logger;
  redactor: Redactor;
  scheduler: Scheduler;
  /** Where every job's evidence, job document and report go (files or PostgreSQL). */
  artifacts: ArtifactStore;
  app(name: string): ResolvedApp;
  driver(name: string): Driver;
  /** Resolves the secrets of these apps now, so a missing one stops the run before any task starts. */
  checkSecrets(apps: string[]): void;
  close(): Promise<void>;
}

export interface RuntimeDeps {
  config: LoadedConfig;
  log: Logger;
  redactor: Redactor;
  /** The per-app queues every task goes through; built by the caller (see schedulerForApps). */
  scheduler: Scheduler;
  /** Default: files under the data dir (see open-artifact-store.ts for the configured one). Closed with the runtime. */
  artifacts?: ArtifactStore;
  env?: NodeJS.ProcessEnv;
  /** Awaited before each HTTP request an API driver sends to this app (scale-out: a shared 429 pause). */
  beforeRequest?: (app: string) => Promise<void>;
  /** Console drivers get this (the browser pool); API drivers ignore it. Closed with the runtime. */
  console?: { close(): Promise<void> };
}

export function createRuntime(deps: RuntimeDeps): Runtime {
  const { config, log, redactor } = deps;
  const secrets = createSecretResolver({ redactor, baseDir: config.baseDir, warn: (message) => log.warn(message), ...(deps.env ? { env: deps.env } : {}) });
  const { scheduler } = deps;
  const artifacts = deps.artifacts ?? createFileArtifactStore({ jobFolder: (jobId) => jobDir(config.dataDir, jobId) });
  const drivers = new Map<string, Driver>();

  const app = (name: string): ResolvedApp => {
    const found = config.apps[name];
    if (!found) throw new SeatctlError('USAGE', `unknown app ${name}`);
    return found;
  };

  const secretFor = (d: ResolvedDriver, field: string): string => {
    const ref = d.credentials[field];
    if (!ref) throw new SeatctlError('CONFIG_INVALID', `${d.field}.credentials.${field}: missing`);
    return secrets.resolve(ref, `${d.field}.credentials.${field}`);
  };

  const create = (a: ResolvedApp, d: ResolvedDriver): Driver =>
    d.definition.create({
      app: a.name,
      baseUrl: d.baseUrl,
      timeoutMs: d.timeoutMs,
      credentials: d.credentials,
      options: d.options,
      secret: (field: string) => secretFor(d, field),
      log: log.child({ app: a.name, ...(a.drivers.length > 1 ? { driver: d.definition.name } : {}) }),
      redactor,
      retry: a.retry,
      http: createHttpClient({ baseUrl: d.baseUrl, timeoutMs: d.timeoutMs, redactor, app: a.name, ...(deps.beforeRequest ? { beforeRequest: () => deps.beforeRequest!(a.name) } : {}) }),
      console: deps.console,
    });

  return {
    config,
    log,
    redactor,
    scheduler,
    artifacts,
    app,
    checkSecrets(apps) {
      for (const name of apps) {
        const a = app(name);
        for (const d of a.drivers) for (const field of d.definition.secretFields) secretFor(d, field);
      }
    },
    driver(name) {
      const existing = drivers.get(name);
      if (existing) return existing;
      const a = app(name);
      // One driver as it is; several behind the routed driver (see drivers/routed-driver.ts).
      const driver =
        a.drivers.length === 1 ? create(a, a.drivers[0]!) : createRoutedDriver(a.name, a.drivers.map((d) => ({ name: d.definition.name, driver: create(a, d) })));
      drivers.set(name, driver);
      return driver;
    },
    async close() {
      await Promise.allSettled([...drivers.values()].map((d) => d.close()));
      drivers.clear();
      await deps.console?.close();
      await artifacts.close();
    },
  };
}
