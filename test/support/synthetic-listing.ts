import { schedulerForApps } from '../../src/queue/scheduler.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../../src/config/load-config.js';
import type { DriverRegistry } from '../../src/drivers/definition.js';
import type { Driver } from '../../src/drivers/driver.js';
import { createRuntime, type Runtime } from '../../src/engine/runtime.js';
import { SeatctlError } from '../../src/errors/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createRedactor } from '../../src/log/redactor.js';
import type { AppUser } from '../../src/model/index.js';

/**
 * A listing made up in the test: each app is a plain driver that hands over the pages
 * it was given (and can fail after some of them), so a review's input is exact and
 * chosen, hostile strings and ordering traps included. The pages of all apps are
 * handed over in turn (app 1 page 1, app 2 page 1, …), whatever the scheduler does,
 * so the listing order a review sees is the same on every run.
 */
export interface SyntheticApp {
  pages: AppUser[][];
  /** Fails with this code after handing over every page (the app is incomplete). */
  failAfterPages?: string;
  /** Called when the review asks for the next page after `page` (0-based): the review has taken `page` by then. */
  afterPage?: (page: number) => void;
}

export function syntheticRuntime(apps: Record<string, SyntheticApp>): { runtime: Runtime; dataDir: string } {
  const names = Object.keys(apps);
  let turn = 0;
  const waiters: (() => void)[] = [];
  const finished = new Set<string>();
  const pass = () => {
    // The next app that still has pages gets the turn.
    for (let step = 1; step <= names.length; step += 1) {
      const next = (turn + step) % names.length;
      if (!finished.has(names[next]!)) {
        turn = next;
        break;
      }
    }
    for (const w of waiters.splice(0)) w();
  };
  const myTurn = async (app: string) => {
    while (names[turn] !== app) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  const driver = (app: string): Driver => ({
    app,
    kind: 'api',
    capabilities: { delete: false, reactivate: false, listsDeactivated: true },
    async *listUsers() {
      const spec = apps[app]!;
      try {
        for (const [i, page] of spec.pages.entries()) {
          await myTurn(app);
          yield page;
          spec.afterPage?.(i);
          pass();
        }
        if (spec.failAfterPages) throw new SeatctlError(spec.failAfterPages as never, `${app}: listing failed after ${spec.pages.length} pages`);
      } finally {
        finished.add(app);
        if (names[turn] === app) pass();
      }
    },
    findUser: () => Promise.resolve(null),
    listRoles: () => Promise.resolve([]),
    validateProvision: () => Promise.resolve(),
    provision: () => Promise.reject(new Error('read only')),
    setRole: () => Promise.reject(new Error('read only')),
    deactivate: () => Promise.reject(new Error('read only')),
    reactivate: () => Promise.reject(new Error('read only')),
    delete: () => Promise.reject(new Error('read only')),
    close: () => Promise.resolve(),
  });
  const registry: DriverRegistry = {
    synthetic: { name: 'synthetic', kind: 'api', credentials: z.object({}), options: z.object({}), secretFields: [], defaultConcurrency: 1, create: (deps) => driver(deps.app) },
  };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'seatctl-synthetic-'));
  const raw = { dataDir: 'data', apps: Object.fromEntries(names.map((a) => [a, { driver: 'synthetic', baseUrl: 'http://127.0.0.1:9' }])) };
  const config = parseConfig(raw, registry, { source: path.join(dir, 'seatctl.config.json'), baseDir: dir });
  const redactor = createRedactor();
  const log = createLogger({ redactor, level: 'error', destination: { write: () => undefined } });
  return { runtime: createRuntime({ config, log, redactor, scheduler: schedulerForApps(config.apps, log) }), dataDir: config.dataDir };
}
