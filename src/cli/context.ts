import { schedulerForApps, type Scheduler } from '../queue/scheduler.js';
import path from 'node:path';
import pino from 'pino';
import { configPathFrom, loadConfigFile, type LoadedConfig } from '../config/load-config.js';
import type { DriverRegistry } from '../drivers/definition.js';
import { createLogger, type Logger } from '../log/logger.js';
import { createRedactor, type Redactor } from '../log/redactor.js';
import { createRuntime, type Runtime } from '../engine/runtime.js';
import type { CliIO } from './io.js';
import { DATA_DIR_FOLDERS, ensurePrivateDirSync, openPrivateFileSync, securePrivateTree } from '../fs/private-files.js';
import { consoleOptionsFromConfig, createConsoleRuntime } from '../console/console-runtime.js';
import { createSecretResolver } from '../config/secret-ref.js';
import { openJobStore, type JobStore } from '../store/index.js';
import { openArtifactStore } from '../audit/open-artifact-store.js';

/**
 * What every command gets from the program: the global flags, and the driver kinds a
 * config's `driver` key may name. The registry comes from the composition root
 * (src/composition/seatctl.ts), which alone puts API drivers and console flows together.
 */
export interface GlobalFlags {
  config?: string;
  verbose?: boolean;
  json?: boolean;
  drivers: DriverRegistry;
}

/**
 * Logs go to stderr (stdout is the --json document) at warn by default, and in full
 * to `<dataDir>/logs/seatctl.log`, both through the same secret redaction.
 */
export function createCliLogger(io: CliIO, redactor: Redactor, flags: GlobalFlags, logFile?: string): Logger {
  const level = io.env.SEATCTL_LOG_LEVEL ?? (flags.verbose ? 'info' : 'warn');
  const streams: pino.StreamEntry[] = [{ level: level as pino.Level, stream: { write: (line: string) => io.stderr(line) } }];
  if (logFile) {
    ensurePrivateDirSync(path.dirname(logFile), (message) => io.stderr(`seatctl: warning: ${message}\n`));
    // Our own O_NOFOLLOW descriptor: a symlink at seatctl.log must not make us append to another file.
    streams.push({ level: 'info', stream: pino.destination({ fd: openPrivateFileSync(logFile, 'append'), sync: true }) });
  }
  return createLogger({ redactor, level: 'info', destination: pino.multistream(streams) });
}

export interface CliContext {
  config: LoadedConfig;
  redactor: Redactor;
  log: Logger;
  runtime: Runtime;
}

export interface ContextOptions {
  /** `caller` when the command handles SIGINT/SIGTERM itself (serve drains on them). */
  signals?: 'playwright' | 'caller';
  /** Wraps the per-app scheduler (scale-out: a 429's pause shared through Redis). */
  wrapScheduler?: (scheduler: Scheduler, config: LoadedConfig) => Scheduler;
  /** Awaited before each API request to an app (scale-out: the shared 429 pause). */
  beforeRequest?: (app: string) => Promise<void>;
}

export async function openContext(io: CliIO, flags: GlobalFlags, options: ContextOptions = {}): Promise<CliContext> {
  const redactor = createRedactor();
  const config = await loadConfigFile(configPathFrom(flags.config, io.env, io.cwd), flags.drivers);
  // Before anything is written there: a data dir others can write is one where they can plant symlinks.
  securePrivateTree(config.dataDir, DATA_DIR_FOLDERS, (message) => io.stderr(`seatctl: warning: ${message}\n`));
  const log = createCliLogger(io, redactor, flags, path.join(config.dataDir, 'logs', 'seatctl.log'));
  const wrap = (s: Scheduler) => options.wrapScheduler?.(s, config) ?? s;
  const consoleRuntime = createConsoleRuntime({ ...consoleOptionsFromConfig(config, log), ...(options.signals === 'caller' ? { handleSignals: false } : {}) });
  const secrets = createSecretResolver({ redactor, baseDir: config.baseDir, env: io.env, warn: (message) => log.warn(message) });
  const artifacts = openArtifactStore(config, (ref, field) => secrets.resolve(ref, field), { onError: (message) => log.warn(message) });
  const runtime = createRuntime({ config, log, redactor, scheduler: wrap(schedulerForApps(config.apps, log)), ...(options.beforeRequest ? { beforeRequest: options.beforeRequest } : {}), env: io.env, console: consoleRuntime, artifacts });
  return { config, redactor, log, runtime };
}

/**
 * The config's job store for a CLI command: `store.url` is resolved with this process's
 * redactor and environment. If the store cannot be opened (PostgreSQL down) the runtime
 * is closed before the error goes up, so the command exits instead of hanging, unless the
 * caller closes it itself (`closeRuntimeOnFailure: false`).
 */
export async function openContextStore(ctx: CliContext, io: CliIO, options: { closeRuntimeOnFailure?: boolean } = {}): Promise<JobStore> {
  const secrets = createSecretResolver({ redactor: ctx.redactor, baseDir: ctx.config.baseDir, env: io.env, warn: (message) => ctx.log.warn(message) });
  try {
    return await openJobStore(ctx.config, { secrets });
  } catch (err) {
    if (options.closeRuntimeOnFailure !== false) await ctx.runtime.close();
    throw err;
  }
}
