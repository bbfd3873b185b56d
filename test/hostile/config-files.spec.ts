import { test, expect } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { loadConfigFile, parseConfig } from '../../src/config/load-config.js';
import { builtInDrivers } from '../../src/composition/built-in-drivers.js';
import { SeatctlError } from '../../src/errors/index.js';
import { scanTempDir } from '../support/scan-root.js';
import { fcOptions, hostileString, logCases } from './hostile-input.js';

/**
 * A valid config with generated mutations applied: wrong types, unknown and missing
 * keys, huge and negative numbers, bad URLs, secrets written inline instead of as
 * env:/file: references, and prototype-pollution keys. Each result is either a loaded
 * config or a CONFIG_INVALID/USAGE SeatctlError whose message names the field path;
 * never another exception, and never a polluted Object.prototype.
 */
const VALID = {
  dataDir: 'data',
  apps: {
    bigid: {
      driver: 'bigid-api',
      baseUrl: 'http://127.0.0.1:1/api/v1',
      concurrency: 2,
      rateLimit: { intervalMs: 1000, intervalCap: 10 },
      retry: { attempts: 3 },
      timeoutMs: 5000,
      credentials: { username: 'svc', password: 'env:BIGID_PASSWORD' },
      options: { pageSize: 100 },
    },
    sigma: { driver: 'sigma-api', baseUrl: 'http://127.0.0.1:2/v2', credentials: { clientId: 'cid', clientSecret: 'file:secrets/sigma' } },
    stitch: { driver: 'stitch-ui', baseUrl: 'http://127.0.0.1:3', credentials: { email: 'it-admin@example.com', password: 'env:STITCH_PASSWORD' }, options: { locatorTimeoutMs: 5000 } },
    billcom: { driver: 'billcom-ui', baseUrl: 'http://127.0.0.1:4', credentials: { email: 'ap@example.com', password: 'env:BILL_PW', totpSecret: 'file:/run/secrets/totp' }, options: { trustDevice: true } },
  },
  browser: { headless: true, recycleAfterPages: 50, screenshots: true, trace: true },
  retry: { attempts: 4, baseDelayMs: 250, maxDelayMs: 15000, maxThrottleWaits: 30, throttleDelayMs: 2000 },
  approvals: { blastRadius: 25, require: [{ action: 'delete' }, { app: 'sigma', action: 'set-role' }] },
  service: { token: 'env:SEATCTL_TOKEN' },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Every path in the valid config (objects and leaves), so a mutation can hit any of them. */
function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}
const ALL_PATHS = paths(VALID).filter((p) => p.length > 0);

const WEIRD_NUMBERS = [-1, 0, -0, 0.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-300, 65, 1_000_001];
const BAD_URLS = ['ftp://x', 'javascript:alert(1)', 'http://', '', 'http://[::1', 'file:///etc/passwd', '//host/x', 'http:// spaced.example', 'data:text/html,<script>', 'http://user:pa55w0rd@127.0.0.1/'];
const LITERAL_SECRETS = ['hunter2hunter2', 'env:', 'env:1BAD', 'file:', 'ENV:NAME', ' env:X', 'bigid-sim-pass-9f3k'];
const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype', '__defineGetter__', 'hasOwnProperty', 'toString'];

const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, false, '', [], {}, ...WEIRD_NUMBERS, ...BAD_URLS, ...LITERAL_SECRETS),
  hostileString(30),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

type Mutation =
  | { op: 'set'; path: Path; value: Json }
  | { op: 'delete'; path: Path }
  | { op: 'add'; path: Path; key: string; value: Json }
  | { op: 'rename'; path: Path; key: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), path: fc.constantFrom(...ALL_PATHS), value: leaf }),
  fc.record({ op: fc.constant('delete' as const), path: fc.constantFrom(...ALL_PATHS) }),
  fc.record({
    op: fc.constant('add' as const),
    path: fc.constantFrom<Path>([], ['apps'], ['apps', 'bigid'], ['apps', 'bigid', 'credentials'], ['apps', 'stitch', 'options'], ['browser'], ['retry'], ['approvals'], ['service']),
    key: fc.oneof(fc.constantFrom(...POLLUTION_KEYS), hostileString(12)),
    value: fc.oneof(leaf, fc.constant<Json>({ polluted: true, isAdmin: true })),
  }),
  fc.record({ op: fc.constant('rename' as const), path: fc.constantFrom<Path>(['apps', 'bigid'], ['apps', 'sigma']), key: fc.oneof(fc.constantFrom('BigID', 'big id', '', '-x', 'a'.repeat(40), ...POLLUTION_KEYS), hostileString(10)) }),
);

/** Applies mutations to a JSON copy; keys such as `__proto__` become own properties, as JSON.parse makes them. */
function mutate(mutations: Mutation[]): unknown {
  let text = JSON.stringify(VALID);
  for (const m of mutations) {
    const doc = JSON.parse(text) as Record<string, unknown>;
    const parentPath = m.op === 'add' ? m.path : m.path.slice(0, -1);
    let parent: any = doc;
    for (const k of parentPath) parent = parent?.[k];
    if (parent === null || typeof parent !== 'object') continue;
    const last = m.path[m.path.length - 1]!;
    if (m.op === 'set') parent[last] = m.value;
    else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
    else if (m.op === 'add') Object.defineProperty(parent, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    else if (m.op === 'rename' && !Array.isArray(parent) && last in parent) {
      const v = parent[last];
      delete parent[last];
      Object.defineProperty(parent, m.key, { value: v, enumerable: true, configurable: true, writable: true });
    }
    text = JSON.stringify(doc);
  }
  return JSON.parse(text);
}

/** The field names an error may name for a mutation: its path down to the app (or section) it is in. */
function acceptableNames(m: Mutation): string[] {
  const p = (m.op === 'add' ? [...m.path, m.key] : m.op === 'rename' ? [...m.path.slice(0, -1), m.key] : m.path).map(String);
  const names = [p.slice(0, Math.min(2, p.length - 1)).join('.') || '(root)', p[0]!];
  if (m.op === 'add' || m.op === 'rename') names.push(JSON.stringify(m.key).slice(1, -1).slice(0, 20));
  return names.filter(Boolean);
}

const where = (dir: string) => ({ source: path.join(dir, 'seatctl.config.json'), baseDir: dir });

function checkOutcome(run: () => unknown, mutations: Mutation[], shown: string): 'accepted' | 'refused' {
  try {
    run();
    return 'accepted';
  } catch (err) {
    return refused(err, mutations, shown);
  }
}

function refused(err: unknown, mutations: Mutation[], shown: string): 'refused' {
  expect(err instanceof SeatctlError, `not a SeatctlError for ${shown}: ${(err as Error)?.stack ?? String(err)}`).toBe(true);
  const e = err as SeatctlError;
  expect(['CONFIG_INVALID', 'USAGE'], `${e.code} for ${shown}: ${e.message}`).toContain(e.code);
  const names = mutations.flatMap(acceptableNames);
  expect(names.some((n) => e.message.includes(n)), `message names no mutated field (${names.join(' | ')}) for ${shown}:\n${e.message.slice(0, 600)}`).toBe(true);
  return 'refused';
}

let dir: string;
test.beforeAll(() => {
  dir = scanTempDir('seatctl-hostile-config-');
});

test('the unmutated config loads', async () => {
  expect(Object.keys(parseConfig(VALID, builtInDrivers(), where(dir)).apps)).toEqual(['bigid', 'sigma', 'stitch', 'billcom']);
});

test('mutated config objects: loaded, or refused naming the field; prototypes untouched', async () => {
  let ran = 0;
  const outcome = { accepted: 0, refused: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      ran += 1;
      const raw = mutate(mutations);
      const shown = JSON.stringify(mutations).slice(0, 500);
      outcome[checkOutcome(() => parseConfig(raw, builtInDrivers(), where(dir)), mutations, shown)] += 1;
      expect(({} as Record<string, unknown>).polluted, 'Object.prototype was polluted').toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    }),
    fcOptions(90),
  );
  logCases('config-files.spec.ts', 'config objects (parseConfig)', ran);
  console.log(`[hostile] config objects: ${JSON.stringify(outcome)}`);
  expect(outcome.refused).toBeGreaterThan(50);
  expect(outcome.accepted).toBeGreaterThan(5);
});

test('mutated config files on disk, some with broken JSON: loaded, or refused naming the field or the file', async () => {
  let ran = 0;
  const outcome = { accepted: 0, refused: 0 };
  const corruption = fc.constantFrom('none', 'none', 'none', 'truncate', 'bom', 'comment', 'trailing-comma', 'nul', 'infinity', 'empty');
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), corruption, fc.nat(), async (mutations, corrupt, n) => {
      ran += 1;
      let text = JSON.stringify(mutate(mutations), null, 2);
      if (corrupt === 'truncate') text = text.slice(0, n % text.length);
      if (corrupt === 'bom') text = `\ufeff${text}`;
      if (corrupt === 'comment') text = `// seatctl\n${text}`;
      if (corrupt === 'trailing-comma') text = text.replace(/\n}$/, ',\n}');
      if (corrupt === 'nul') text = text.replace('"data"', '"da\u0000ta"');
      if (corrupt === 'infinity') text = text.replace('"concurrency": 2', '"concurrency": 1e400');
      if (corrupt === 'empty') text = '';
      const file = path.join(dir, `c-${ran}.json`);
      writeFileSync(file, text);
      const shown = `${corrupt} ${JSON.stringify(mutations).slice(0, 400)}`;
      try {
        await loadConfigFile(file, builtInDrivers());
        outcome.accepted += 1;
      } catch (err) {
        outcome.refused += 1;
        // Broken JSON is refused as a whole file: the message names the file instead of a field.
        if (err instanceof SeatctlError && /not valid JSON/.test(err.message)) {
          expect(err.code).toBe('CONFIG_INVALID');
          expect(err.message).toContain(file);
        } else refused(err, corrupt === 'infinity' ? [...mutations, { op: 'set', path: ['apps', 'bigid', 'concurrency'], value: 0 }] : mutations, shown);
      }
    }),
    fcOptions(40),
  );
  logCases('config-files.spec.ts', 'config files (loadConfigFile)', ran);
  console.log(`[hostile] config files: ${JSON.stringify(outcome)}`);
});
