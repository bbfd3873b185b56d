import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SeatctlError } from '../errors/index.js';
import type { DriverDefinition, DriverRegistry } from '../drivers/definition.js';
import { configSchema, retryPolicySchema, type BaseAppConfig, type ParsedConfig, type RetryPolicy } from './schema.js';
import { formatIssues } from './format-issues.js';
import { isDriverPath, loadDriverModule } from './driver-module.js';

export interface ResolvedApp {
  name: string;
  definition: DriverDefinition<any, any>;
  baseUrl: string;
  timeoutMs: number;
  concurrency: number;
  rateLimit: BaseAppConfig['rateLimit'];
  retry: RetryPolicy;
  credentials: Record<string, string>;
  options: Record<string, unknown>;
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
    if (!isDriverPath(app.driver) || withModules[app.driver]) continue;
    try {
      withModules[app.driver] = await loadDriverModule(app.driver, where.baseDir, `apps.${name}.driver`);
    } catch (err) {
      if (!(err instanceof SeatctlError)) throw err;
      problems.push(err.message);
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
    // Own keys only: "constructor" or "toString" is an unknown driver, not Object's.
    const definition = Object.hasOwn(registry, app.driver) ? registry[app.driver] : undefined;
    if (!definition) {
      const known = Object.keys(registry).filter((k) => !isDriverPath(k)).sort().join(', ');
      problems.push(`apps.${name}.driver: unknown driver "${app.driver}" (built in: ${known}; or a module path such as "./drivers/acme/driver.ts")`);
      continue;
    }
    const credentials = definition.credentials.safeParse(app.credentials);
    if (!credentials.success) problems.push(formatIssues(credentials.error.issues, ['apps', name, 'credentials']));
    const options = definition.options.safeParse(app.options);
    if (!options.success) problems.push(formatIssues(options.error.issues, ['apps', name, 'options']));
    if (!credentials.success || !options.success) continue;
    apps[name] = {
      name,
      definition,
      baseUrl: app.baseUrl,
      timeoutMs: app.timeoutMs,
      concurrency: app.concurrency ?? definition.defaultConcurrency,
      rateLimit: app.rateLimit,
      retry: retryPolicySchema.parse({ ...config.retry, ...app.retry }),
      credentials: credentials.data as Record<string, string>,
      options: options.data as Record<string, unknown>,
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

function invalid(source: string, detail: string): SeatctlError {
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
