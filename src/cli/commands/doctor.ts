import path from 'node:path';
import type { Command } from 'commander';
import { createEvidenceSink } from '../../audit/evidence-sink.js';
import { resolveChromium } from '../../browser/resolve-chromium.js';
import { driverNames, selectApps, usesConsole } from '../../config/load-config.js';
import { runCanary } from '../../drivers/canary.js';
import { newId } from '../../engine/new-id.js';
import { toSeatctlError } from '../../errors/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openContext, type GlobalFlags } from '../context.js';

type Runner = (fn: () => Promise<number>) => Promise<void>;

interface AppCheck {
  app: string;
  driver: string;
  ok: boolean;
  users?: number;
  error?: { code: string; message: string; locator?: string; screenshot?: string };
  evidence: string;
}

/**
 * Read-only health check: the config parses, a browser is there when a console app
 * needs one, and each app answers a canary (sign in, read the first page of users).
 * A console whose locators no longer match fails naming the locator and the
 * screenshot of what the page showed instead.
 */
export function registerDoctor(program: Command, io: CliIO, run: Runner, globals: () => GlobalFlags): void {
  program
    .command('doctor')
    .description('check config, browser and every app with a read-only canary')
    .option('--apps <list>', 'apps to check: a,b or all', 'all')
    .action((opts: { apps?: string }) =>
      run(async () => {
        const flags = globals();
        const ctx = await openContext(io, flags);
        try {
          const apps = selectApps(ctx.config, opts.apps);
          const checks: AppCheck[] = [];
          let browser: { ok: boolean; path?: string; source?: string; error?: string } | null = null;
          if (apps.some((a) => usesConsole(a))) {
            try {
              const found = resolveChromium({ configured: ctx.config.browser.executablePath });
              browser = { ok: true, path: found.path, source: found.source };
            } catch (err) {
              browser = { ok: false, error: toSeatctlError(err).message };
            }
          }
          const id = newId('doctor');
          await Promise.all(
            apps.map(async (app) => {
              const dir = path.join(ctx.config.dataDir, 'doctor', id, app.name);
              const sink = createEvidenceSink(dir, ctx.redactor);
              const check: AppCheck = { app: app.name, driver: driverNames(app), ok: false, evidence: dir };
              try {
                if (usesConsole(app) && !browser?.ok) throw new Error(browser?.error ?? 'no browser');
                ctx.runtime.checkSecrets([app.name]);
                const driver = ctx.runtime.driver(app.name);
                const call = { evidence: sink, dryRun: true };
                check.users = await runCanary(driver, call);
                check.ok = true;
              } catch (err) {
                const e = toSeatctlError(err);
                const shot = sink.items.find((i) => i.kind === 'screenshot' && i.path.includes('failure'));
                check.error = {
                  code: e.code,
                  message: ctx.redactor.scrub(e.message),
                  ...(typeof e.details.locator === 'string' ? { locator: `${typeof e.details.driver === 'string' ? e.details.driver : app.definition.name}.${e.details.locator}` } : {}),
                  ...(shot && 'path' in shot ? { screenshot: path.join(dir, shot.path) } : {}),
                };
              } finally {
                await sink.writeRecord().catch(() => undefined);
                checks.push(check);
              }
            }),
          );
          checks.sort((a, b) => a.app.localeCompare(b.app));
          const ok = checks.every((c) => c.ok) && (browser?.ok ?? true);
          if (flags.json) io.stdout(JSON.stringify({ doctor: { ok, config: ctx.config.source, browser, apps: checks } }) + '\n');
          else {
            io.stdout(`config   ok  ${ctx.config.source}\n`);
            if (browser) io.stdout(`browser  ${browser.ok ? `ok  ${browser.path} (${browser.source})` : `FAIL ${browser.error}`}\n`);
            for (const c of checks) {
              io.stdout(`${c.app.padEnd(8)} ${c.ok ? `ok  ${c.users ?? 0} users on the first page` : `FAIL ${c.error?.code}: ${c.error?.message}`}\n`);
              if (c.error?.locator) io.stdout(`         locator: ${c.error.locator}\n`);
              if (c.error?.screenshot) io.stdout(`         screenshot: ${c.error.screenshot}\n`);
            }
          }
          return ok ? EXIT.OK : EXIT.TASK_FAILED;
        } finally {
          await ctx.runtime.close();
        }
      }),
    );
}
