import { existsSync, statSync } from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { SeatctlError } from '../errors/index.js';
import type { DriverDefinition } from '../drivers/definition.js';

/**
 * Driver modules named by path in the config (`"driver": "./drivers/acme.ts"`): loaded
 * at config load time and checked against the DriverDefinition shape, so a module
 * that does not fit stops the run before any task, naming the config field.
 */
export function isDriverPath(value: string): boolean {
  return value.startsWith('./') || value.startsWith('../') || value.startsWith('/');
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

const isZodSchema = (v: unknown): boolean => typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function';

/** What a module must export; the messages are what the user reads. */
const definitionShape = z.object({
  name: z.string({ error: 'must be a string' }).regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and dashes, e.g. "acme-ui"'),
  kind: z.enum(['api', 'console'], { error: 'must be "api" or "console"' }),
  credentials: z.custom((v) => isZodSchema(v), { error: 'must be a zod schema' }),
  options: z.custom((v) => isZodSchema(v), { error: 'must be a zod schema' }),
  secretFields: z.array(z.string(), { error: 'must be an array of credential field names' }),
  defaultConcurrency: z.number({ error: 'must be a number' }).int().min(1).max(64),
  create: z.custom((v) => typeof v === 'function', { error: 'must be a function' }),
});

const FUNCTION_KEYS = new Set(['create']);

function describeProblems(issues: readonly z.core.$ZodIssue[], candidate: Record<string, unknown>): string {
  return issues
    .map((issue) => {
      const key = String(issue.path[0] ?? '');
      if (!(key in candidate)) return `missing ${FUNCTION_KEYS.has(key) ? `${key}()` : key}`;
      return `${issue.path.map(String).join('.')}: ${issue.message}`;
    })
    .join(', ');
}

let hooksReady = false;
let tsReady: Promise<void> | null = null;

/**
 * `import … from 'seatctl'` inside a driver module means the seatctl that is running,
 * wherever the driver file lives: one copy of the SDK, its errors and its types, even
 * for a driver folder with no node_modules of its own. A resolve hook does that.
 */
function aliasSeatctl(): void {
  if (hooksReady) return;
  hooksReady = true;
  const self = fileURLToPath(import.meta.url);
  // dist/src/index.js when built, src/index.ts under a TypeScript test runner.
  const host = pathToFileURL(path.join(path.dirname(self), '..', `index${path.extname(self)}`)).href;
  const source = `export async function resolve(specifier, context, next) {
  // Handed down the chain, so a TypeScript loader still resolves and loads it.
  if (specifier === 'seatctl') return next(${JSON.stringify(host)}, context);
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(source)}`);
}

/**
 * Node 20 cannot import TypeScript by itself; tsx (esbuild) registers a loader, once,
 * only when a config names a .ts driver. When seatctl itself runs from .ts sources, a
 * TypeScript loader is already active (a test runner) and nothing is added.
 */
function ensureTypeScript(): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return Promise.resolve();
  tsReady ??= (async () => {
    const [esm, cjs] = await Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]);
    esm.register();
    cjs.register();
  })();
  return tsReady;
}

/** Loads and checks one driver module; `field` is the config path, e.g. `apps.acme.driver`. */
export async function loadDriverModule(spec: string, baseDir: string, field: string): Promise<DriverDefinition<any, any>> {
  const fail = (why: string) => new SeatctlError('CONFIG_INVALID', `${field}: ${why}`, { details: { field } });
  const file = path.resolve(baseDir, spec);
  if (!existsSync(file)) throw fail(`module ${spec} not found (looked for ${file})`);
  if (!statSync(file).isFile()) throw fail(`module ${spec} is not a file (${file})`);

  aliasSeatctl();
  if (TS_EXTENSIONS.has(path.extname(file))) await ensureTypeScript();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const first = (e.message ?? String(err)).split('\n')[0];
    const hint =
      e.code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (use a .ts, .mts, .js or .mjs file)'
        : /Cannot find (module|package) 'seatctl'/.test(first ?? '')
          ? ' (a .ts driver outside an ES-module package is compiled as CommonJS: name it .mts, or add a package.json with "type": "module" next to it)'
          : '';
    throw fail(`module ${spec} failed to load: ${first}${hint}`);
  }

  let candidate = mod.default ?? mod.driver;
  // A .ts file outside an ES-module package is compiled as CommonJS: its exports arrive one level down.
  if (isPlainObject(candidate) && !('create' in candidate) && ('default' in candidate || 'driver' in candidate)) {
    candidate = candidate.default ?? candidate.driver;
  }
  if (candidate === undefined) {
    throw fail(`module ${spec} has no default export and no export named "driver" (end it with: export default defineConsoleDriver({ … }))`);
  }
  if (!isPlainObject(candidate)) throw fail(`module ${spec} does not export a driver definition (its default export is a ${typeof candidate})`);
  const checked = definitionShape.safeParse(candidate);
  if (!checked.success) {
    throw fail(`module ${spec} does not export a driver definition (${describeProblems(checked.error.issues, candidate)}); build it with defineConsoleDriver, defineApiDriver or defineDriver`);
  }
  return candidate as unknown as DriverDefinition<any, any>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
