import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SeatctlError } from '../errors/index.js';
import type { DriverDefinition, DriverRegistry } from '../drivers/definition.js';
import { configSchema, retryPolicySchema, type BaseAppConfig, type DriverEntryConfig, type ParsedConfig, type RetryPolicy } from './schema.js';
import { formatIssues } from './format-issues.js';
import { isDriverPath, loadDriverModule } from './driver-module.js';

/** One driver of an app, its own keys checked by its own definition. */
export interface ResolvedDriver {
  definition: DriverDefinition<any, any>;
  baseUrl: string;
  timeoutMs: number;
  credentials: Record<string, string>;
  options: Record<string, unknown>;
  /** Where its keys live in the config file: `apps.sigma` or `apps.sigma.drivers[1]`. */
  field: string;
}

/**
 * An app as the runtime uses it. `drivers` is the preference order (one entry for the
 * plain `driver` form); `definition`, `baseUrl`, `credentials` … repeat the first entry,
 * for the places that only need the app's primary driver.
 */
export interface ResolvedApp extends ResolvedDriver {
  name: string;
  drivers: ResolvedDriver[];
  concurrency: number;
  rateLimit: BaseAppConfig['rateLimit'];
  retry: RetryPolicy;
}

/** Driver kinds of an app joined with `+` (`sigma-api+sigma-ui`), for metrics and doctor output. */
export function driverNames(app: ResolvedApp): string {
  return app.drivers.map((d) => d.definition.name).join('+');
}

/** True when any of the app's drivers is a console flow (it needs a browser). */
export function usesConsole(app: ResolvedApp): boolean {
  return app.drivers.some((d) => d.definition.kind === 'console');
}

export interface LoadedConfig {
  /** Absolute path of the file, or '(inline)'. */
  source: string;
  /** Secrets given as relative file: paths resolve against this folder. */
  baseDir: string;
  dataDir: string;
  browser: ParsedConfig['browser'];
  approvals: ParsedConfig['approvals'];
  service: ParsedConfig['service'];
  review: ParsedConfig['review'];
  notifications: ParsedConfig['notifications'];
  queue: ParsedConfig['queue'];
  /** Which job store to open (see store/open-store.ts). */
  store: ParsedConfig['store'];
  artifacts: ParsedConfig['artifacts'];
  apps: Record<string, ResolvedApp>;
}

export const DEFAULT_CONFIG_FILE = 'seatctl.config.json';

/** `--config`, else SEATCTL_CONFIG, else ./seatctl.config.json. */
export function configPathFrom(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  return path.resolve(cwd, flag ?? env.SEATCTL_CONFIG ?? DEFAULT_CONFIG_FILE);
}

export async function loadConfigFile(file: string, registry: DriverRegistry): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? ' (pass --config FILE or set SEATCTL_CONFIG; `seatctl fixtures up` writes one for the simulators)' : '';
    throw new SeatctlError('CONFIG_INVALID', `config file ${file}: cannot read it (${code ?? 'error'})${hint}`);
  }
  let raw: unknown;
  try {
    // A BOM (Windows editors write one) is invisible in the file: not worth a parse error.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new SeatctlError('CONFIG_INVALID', `config file ${file}: not valid JSON (${(err as Error).message})`);
  }
  return loadConfig(raw, registry, { source: file, baseDir: path.dirname(file) });
}

/**
 * Like parseConfig, and also loads the driver modules the config names by path
 * (relative to the config file), so a module that does not fit fails here, naming
 * `apps.<name>.driver`, before any task starts.
 */
export async function loadConfig(raw: unknown, registry: DriverRegistry, where: { source: string; baseDir: string }): Promise<LoadedConfig> {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw invalid(where.source, formatIssues(parsed.error.issues));
  const withModules: DriverRegistry = { ...registry };
  const problems: string[] = [];
  for (const [name, app] of Object.entries(parsed.data.apps)) {
    for (const { driver, field } of driverEntries(name, app)) {
      if (!isDriverPath(driver.driver) || withModules[driver.driver]) continue;
      try {
        withModules[driver.driver] = await loadDriverModule(driver.driver, where.baseDir, `${field}.driver`);
      } catch (err) {
        if (!(err instanceof SeatctlError)) throw err;
        problems.push(err.message);
      }
    }
  }
  if (problems.length) throw invalid(where.source, problems.join('\n'));
  return parseConfig(raw, withModules, where);
}

export function parseConfig(raw: unknown, registry: DriverRegistry, where: { source: string; baseDir: string }): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw invalid(where.source, formatIssues(parsed.error.issues));
  const config = parsed.data;
  // No prototype: an app name typed by a user or sent over HTTP ("constructor",
  // "toString") must never find something that is not a configured app.
  const apps: Record<string, ResolvedApp> = Object.create(null) as Record<string, ResolvedApp>;
  const problems: string[] = [];
  for (const [name, app] of Object.entries(config.apps)) {
    const resolved: ResolvedDriver[] = [];
    for (const { driver, field } of driverEntries(name, app)) {
      // Own keys only: "constructor" or "toString" is an unknown driver, not Object's.
      const definition = Object.hasOwn(registry, driver.driver) ? registry[driver.driver] : undefined;
      if (!definition) {
        const known = Object.keys(registry).filter((k) => !isDriverPath(k)).sort().join(', ');
        problems.push(`${field}.driver: unknown driver "${driver.driver}" (built in: ${known}; or a module path such as "./drivers/acme/driver.ts")`);
        continue;
      }
      const credentials = definition.credentials.safeParse(driver.credentials);
      if (!credentials.success) problems.push(formatIssues(credentials.error.issues, [field, 'credentials']));
      const options = definition.options.safeParse(driver.options);
      if (!options.success) problems.push(formatIssues(options.error.issues, [field, 'options']));
      if (!credentials.success || !options.success) continue;
      resolved.push({
        definition,
        baseUrl: driver.baseUrl,
        timeoutMs: driver.timeoutMs,
        credentials: credentials.data as Record<string, string>,
        options: options.data as Record<string, unknown>,
        field,
      });
    }
    const entries = driverEntries(name, app);
    if (resolved.length !== entries.length) continue;
    const first = resolved[0]!;
    apps[name] = {
      ...first,
      name,
      drivers: resolved,
      // A routed app's queue holds the work of all its drivers: their shares add up.
      concurrency: app.concurrency ?? entries.reduce((sum, e, i) => sum + (e.driver.concurrency ?? resolved[i]!.definition.defaultConcurrency), 0),
      rateLimit: app.rateLimit ?? strictestRate(entries.map((e) => e.driver.rateLimit)),
      retry: retryPolicySchema.parse({ ...config.retry, ...app.retry }),
    };
  }
  if (problems.length) throw invalid(where.source, problems.join('\n'));
  return {
    source: where.source,
    baseDir: where.baseDir,
    dataDir: path.resolve(where.baseDir, config.dataDir),
    browser: config.browser,
    approvals: config.approvals,
    service: config.service,
    review: config.review,
    notifications: config.notifications,
    queue: config.queue,
    store: config.store,
    artifacts: config.artifacts,
    apps,
  };
}

interface DriverEntry {
  driver: DriverEntryConfig;
  /** `apps.<name>` for the single-driver form, `apps.<name>.drivers[i]` for a list. */
  field: string;
}

/** Both config forms as one list: `driver` is a list of one. */
function driverEntries(name: string, app: BaseAppConfig): DriverEntry[] {
  if (app.drivers) return app.drivers.map((driver, i) => ({ driver, field: `apps.${name}.drivers[${i}]` }));
  const single: DriverEntryConfig = {
    driver: app.driver!,
    baseUrl: app.baseUrl!,
    timeoutMs: app.timeoutMs ?? 30_000,
    credentials: app.credentials ?? {},
    options: app.options ?? {},
    ...(app.concurrency !== undefined ? { concurrency: app.concurrency } : {}),
  };
  return [{ driver: single, field: `apps.${name}` }];
}

/**
 * One queue paces a whole app, so with several drivers' limits and none for the app,
 * the app goes at the slowest entry's pace: no driver is ever sent more than its own.
 */
function strictestRate(limits: readonly BaseAppConfig['rateLimit'][]): BaseAppConfig['rateLimit'] {
  let best: BaseAppConfig['rateLimit'];
  for (const l of limits) if (l && (!best || l.intervalCap / l.intervalMs < best.intervalCap / best.intervalMs)) best = l;
  return best;
}

function invalid(source: string, detail: string): SeatctlError {
  // zod writes list positions as path segments; a `drivers` entry reads better as drivers[1].
  detail = detail.replace(/\.drivers\.(\d+)(?=[.:])/g, '.drivers[$1]');
  const first = detail.split('\n')[0] ?? '';
  return new SeatctlError('CONFIG_INVALID', `invalid config ${source}:\n${detail}`, { details: { field: first.split(':')[0] } });
}

/** `--apps a,b|all` against the configured apps; unknown names are a usage error. */
export function selectApps(config: LoadedConfig, selection: string | undefined): ResolvedApp[] {
  const all = Object.values(config.apps);
  if (!selection || selection === 'all') return all;
  const names = selection.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new SeatctlError('USAGE', '--apps: give app names separated by commas, or "all"');
  const unknown = names.filter((n) => !config.apps[n]);
  if (unknown.length) throw new SeatctlError('USAGE', `--apps: unknown app(s) ${unknown.join(', ')} (configured: ${Object.keys(config.apps).join(', ')})`);
  return [...new Set(names)].map((n) => config.apps[n]!);
}
