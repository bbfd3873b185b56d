import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { APP_NAME } from '../../config/schema.js';
import { SeatctlError } from '../../errors/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import type { GlobalFlags } from '../context.js';
import { apiDriverModule } from '../scaffold/api-template.js';
import { consoleDriverModule, consoleLocatorsModule } from '../scaffold/console-template.js';
import { playwrightConfig, readme, smokeTest, type DriverKind } from '../scaffold/common-templates.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

/**
 * `seatctl new-driver <name> --kind console|api [--dir DIR]`: a driver folder to start
 * from, outside seatctl's sources. It never overwrites: a file that exists stops the
 * command before anything is written.
 */
export function registerNewDriver(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('new-driver')
    .description('scaffold a driver folder: starter driver, smoke test, README')
    .argument('<name>', 'the app, lower-case letters, digits and dashes (e.g. acme)')
    .requiredOption('--kind <kind>', 'console (admin web page, Playwright) or api (HTTP API)')
    .option('--dir <dir>', 'where to write (default ./drivers/<name>)')
    .action((name: string, opts: { kind: string; dir?: string }) =>
      run(async () => {
        if (!APP_NAME.test(name)) throw new SeatctlError('USAGE', `name: "${name}" must be lower-case letters, digits and dashes, starting with a letter, at most 32 characters`, { details: { field: 'name' } });
        if (opts.kind !== 'console' && opts.kind !== 'api') throw new SeatctlError('USAGE', `--kind: expected console or api, got "${opts.kind}"`, { details: { field: 'kind' } });
        const kind: DriverKind = opts.kind;
        const dir = path.resolve(io.cwd, opts.dir ?? path.join('drivers', name));
        const files = scaffoldFiles(name, kind, relDir(io.cwd, dir), dir);
        const existing = Object.keys(files).filter((f) => existsSync(path.join(dir, f)));
        if (existing.length) {
          throw new SeatctlError('USAGE', `new-driver: ${existing.map((f) => path.join(dir, f)).join(', ')} already exist(s); nothing was written (choose another --dir, or move them away)`);
        }
        await mkdir(dir, { recursive: true });
        for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text, { flag: 'wx' });
        const written = Object.keys(files).map((f) => path.join(dir, f));
        if (globals().json) io.stdout(JSON.stringify({ driver: { name, kind, dir, files: written } }) + '\n');
        else {
          io.stdout(`wrote ${kind === 'api' ? 'an API' : 'a console'} driver for ${name}:\n${written.map((f) => `  ${f}\n`).join('')}`);
          io.stdout(`next: fill in the TODOs, add the app to your config with "driver": "${configPath(path.join(relDir(io.cwd, dir), 'driver.ts'))}" (relative to the config file), then run: seatctl doctor --apps ${name}\n`);
        }
        return EXIT.OK;
      }),
    );
}

function scaffoldFiles(name: string, kind: DriverKind, rel: string, dir: string): Record<string, string> {
  const files: Record<string, string> =
    kind === 'console' ? { 'driver.ts': consoleDriverModule(name), 'locators.ts': consoleLocatorsModule(name) } : { 'driver.ts': apiDriverModule(name) };
  files['smoke.spec.ts'] = smokeTest(name, kind);
  files['playwright.config.ts'] = playwrightConfig();
  files['README.md'] = readme(name, kind, rel, configPath(path.join(rel, 'driver.ts')));
  // Outside an ES-module package, a .ts file would be compiled as CommonJS and could
  // not import 'seatctl' the way seatctl loads it: say "module" for this folder.
  if (!insideModulePackage(dir)) files['package.json'] = `${JSON.stringify({ name: `${name}-driver`, private: true, type: 'module' }, null, 2)}\n`;
  return files;
}

const relDir = (cwd: string, dir: string): string => path.relative(cwd, dir) || '.';

/** A path as the config's `driver` value wants it: starting with ./, ../ or /. */
export function configPath(rel: string): string {
  return rel.startsWith('.') || path.isAbsolute(rel) ? rel : `./${rel}`;
}

/** Whether the nearest package.json above `dir` declares "type": "module". */
function insideModulePackage(dir: string): boolean {
  for (let at = dir; ; at = path.dirname(at)) {
    const file = path.join(at, 'package.json');
    if (existsSync(file)) {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        return false;
      }
    }
    if (path.dirname(at) === at) return false;
  }
}
