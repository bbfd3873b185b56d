import { approvalsSchema, DEFAULT_APPROVALS } from './approval-schema.js';
import { DEFAULT_NOTIFICATIONS, notificationsSchema } from './notification-schema.js';
import { secretRefSchema } from './secret-ref.js';
import { hasUserinfo } from '../log/url-userinfo.js';
import { roleSchema } from '../auth/principal.js';
import { oidcConfigSchema } from './oidc-schema.js';
import { DEFAULT_QUEUE, queueConfigSchema } from './queue-schema.js';
import { DEFAULT_STORE_CONFIG, storeConfigSchema } from './store-schema.js';
import { z } from 'zod';

/**
 * The config file, minus what each driver checks for itself: `credentials` and
 * `options` are validated by the driver's own schemas (see composition/built-in-drivers.ts), so
 * a driver added later brings its own keys without touching this file.
 */
export const retryPolicySchema = z
  .object({
    attempts: z.number().int().min(1).max(20).default(4).describe('tries for one call, the first included'),
    baseDelayMs: z.number().int().min(0).max(60_000).default(250).describe('first backoff delay; doubles per retry, with "equal jitter" (half fixed, half random)'),
    maxDelayMs: z.number().int().min(0).max(600_000).default(15_000).describe('cap on one backoff delay'),
    maxThrottleWaits: z.number().int().min(0).max(1000).default(30).describe('429s do not spend attempts, but a storm still ends after this many waits'),
    throttleDelayMs: z.number().int().min(0).max(600_000).default(2_000).describe('wait after a 429 without Retry-After (Sigma never sends one), doubling per wait'),
  })
  .strict()
  .describe('retry policy');
export type RetryPolicy = z.infer<typeof retryPolicySchema>;

export const rateLimitSchema = z
  .object({
    intervalMs: z.number().int().min(1).max(3_600_000).describe('length of the rate window'),
    intervalCap: z.number().int().min(1).max(100_000).describe('calls allowed per window'),
  })
  .strict()
  .describe('at most `intervalCap` calls per `intervalMs` against this app');

export const APP_NAME = /^[a-z][a-z0-9-]{0,31}$/;

const driverNameSchema = z
  .string()
  .min(1)
  .describe('a built-in driver (`bigid-api`, `sigma-api`, `sigma-ui`, `scim2`, `stitch-ui`, `billcom-ui`) or a driver module by path: a value starting with `./`, `../` or `/`, relative to this config file (`./drivers/acme/driver.ts`)');
const baseUrlSchema = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .refine((u) => !hasUserinfo(u), { message: 'must not hold a user name or password (`user:pass@`): put credentials under `credentials` as secret references' })
  .describe('the API base including its version path (`…/api/v1`), or the console origin');
const timeoutMsSchema = z.number().int().min(100).max(600_000).describe('per HTTP request (headers and body); default 30000');
const credentialsSchema = z.record(z.string(), z.string()).describe("driver-specific (see the driver's section); secret fields must be references `env:NAME` or `file:/path`");
const optionsSchema = z.record(z.string(), z.unknown()).describe("driver-specific (see the driver's section)");

/**
 * One driver of a routed app (`drivers: [...]`): the same keys a single-driver app
 * gives, per driver, since an app's API and its console live at different URLs with
 * different credentials.
 */
export const driverEntrySchema = z
  .object({
    driver: driverNameSchema,
    baseUrl: baseUrlSchema,
    timeoutMs: timeoutMsSchema.default(30_000),
    concurrency: z.number().int().min(1).max(64).optional().describe("this driver's share of the app's cap; default: the driver's (4 for API drivers, 2 for consoles)"),
    rateLimit: rateLimitSchema.optional(),
    credentials: credentialsSchema.default({}),
    options: optionsSchema.default({}),
  })
  .strict()
  .describe('one driver of a routed app, in preference order');
export type DriverEntryConfig = z.infer<typeof driverEntrySchema>;

/** Keys that belong to each `drivers` entry when an app lists several drivers. */
const PER_DRIVER_KEYS = ['baseUrl', 'timeoutMs', 'credentials', 'options'] as const;

export const appConfigSchema = z
  .object({
    driver: driverNameSchema.optional().describe(`${driverNameSchema.description}; or give \`drivers\` instead`),
    drivers: z
      .array(driverEntrySchema)
      .min(1)
      .max(8)
      .optional()
      .describe('several drivers in preference order (`sigma-api` then `sigma-ui`): each operation goes to the first that can do it; see docs/hybrid-routing.md. Exactly one of `driver` and `drivers`'),
    baseUrl: baseUrlSchema.optional().describe('the API base including its version path (`…/api/v1`), or the console origin; required with `driver`'),
    concurrency: z.number().int().min(1).max(64).optional().describe("tasks in flight against this app at once; default: the driver's (4 for API apps, 2 for consoles), or with `drivers` the sum of the entries'"),
    rateLimit: rateLimitSchema.optional().describe('at most `intervalCap` calls per `intervalMs` against this app; with `drivers` and none here, the strictest of the entries\''),
    retry: retryPolicySchema.partial().optional().describe('overrides of the top-level `retry` for this app'),
    timeoutMs: timeoutMsSchema.optional(),
    credentials: credentialsSchema.optional(),
    options: optionsSchema.optional(),
  })
  .strict()
  .superRefine((app, ctx) => {
    if (app.driver !== undefined && app.drivers !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['drivers'], message: 'give either `driver` (one driver) or `drivers` (a list in preference order), not both' });
      return;
    }
    if (app.driver === undefined && app.drivers === undefined) {
      ctx.addIssue({ code: 'custom', path: ['driver'], message: 'required: `driver` (one driver) or `drivers` (a list in preference order)' });
      return;
    }
    if (app.driver !== undefined) {
      if (app.baseUrl === undefined) ctx.addIssue({ code: 'custom', path: ['baseUrl'], message: 'required' });
      return;
    }
    for (const key of PER_DRIVER_KEYS) {
      if (app[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'with `drivers`, give it in each entry of `drivers`' });
    }
    const seen = new Set<string>();
    app.drivers!.forEach((entry, i) => {
      if (seen.has(entry.driver)) ctx.addIssue({ code: 'custom', path: ['drivers', i, 'driver'], message: `"${entry.driver}" is listed twice` });
      seen.add(entry.driver);
    });
  })
  .describe('one configured target system');
export type AppConfigInput = z.input<typeof appConfigSchema>;
export type BaseAppConfig = z.infer<typeof appConfigSchema>;

export const browserConfigSchema = z
  .object({
    executablePath: z.string().min(1).optional().describe('Chromium to use; else SEATCTL_CHROMIUM, Playwright\'s download, then /usr/lib/chromium/chromium'),
    headless: z.boolean().default(true).describe('false shows the browser (needs a display)'),
    recycleAfterPages: z.number().int().min(1).max(10_000).default(200).describe('a fresh browser after this many pages keeps memory flat on long runs; the old one finishes its open tasks first (drains) while new tasks use the fresh one'),
    recycleAboveMb: z.number().int().min(100).max(65_536).optional().describe("also recycle when Chromium's processes hold more resident memory than this (Linux; checked every 10 pages); default: by page count only"),
    screenshots: z.boolean().default(true).describe('JPEG screenshot trail of every console step (secret fields masked)'),
    trace: z.boolean().default(true).describe('a Playwright trace per console driver call, started after login'),
    traceFilmstrip: z
      .boolean()
      .default(false)
      .describe("also record the trace's screencast (a frame at every paint): the step screenshots are the visual evidence either way; the filmstrip costs Chromium about a quarter more CPU per console task (docs/consoles.md)"),
  })
  .strict()
  .describe('console flows: the browser seatctl drives');

export const principalConfigSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits and . _ @ - (1-64)').describe('shown in the audit chain, reports and the console as `token:<name>`'),
    kind: z.enum(['person', 'system']).default('person').describe('a person, or a system such as the HR/IdP event feed'),
    roles: z.array(roleSchema).min(1).max(4).describe('`requester` submits, `approver` approves/rejects/cancels, `auditor` reads only, `admin` all of these'),
    token: secretRefSchema.describe('this principal\'s bearer token as env:NAME or file:/path (at least 16 characters); only its SHA-256 is kept in memory'),
  })
  .strict()
  .describe('one caller of the service');
export type PrincipalConfig = z.infer<typeof principalConfigSchema>;

export const serviceConfigSchema = z
  .object({
    token: secretRefSchema.optional().describe('a single bearer token for the HTTP API, as env:NAME or file:/path: one `admin` principal named `service-token`; a token or principals are required to listen beyond loopback'),
    principals: z
      .array(principalConfigSchema)
      .max(1000)
      .default([])
      .refine((ps) => new Set(ps.map((p) => p.name)).size === ps.length, 'principal names must be unique')
      .describe('people and systems that may call the service, each with roles and a token'),
    oidc: oidcConfigSchema.optional(),
    allowedHosts: z
      .array(z.string().regex(/^[a-z0-9.-]{1,253}$|^\[[0-9a-f:]+\]$/i, 'a host name or [IPv6] without port'))
      .max(50)
      .default([])
      .describe('host names (no port) clients may use in `Host`; without a token only loopback names are accepted otherwise (DNS-rebinding guard)'),
  })
  .strict();

/**
 * Caps on what one access review may hold, checked before anything is listed or stored
 * (roster) or as soon as the listing passes them (rows): a review is kept in memory
 * while it is reconciled, so these bound the memory one review can take.
 */
export const reviewConfigSchema = z
  .object({
    maxRosterRows: z.number().int().min(1).max(1_000_000).default(200_000).describe('people in one review roster; a longer roster is refused before any app is read'),
    maxRows: z.number().int().min(1).max(5_000_000).default(400_000).describe('accounts one review may list over all its apps (e.g. 100,000 people × 4 apps); past it the review stops and writes nothing'),
  })
  .strict()
  .describe('access review limits');
export type ReviewConfig = z.infer<typeof reviewConfigSchema>;
export const DEFAULT_REVIEW_CONFIG: ReviewConfig = { maxRosterRows: 200_000, maxRows: 400_000 };

/**
 * Where evidence, job documents and reports are kept: files under the data dir (one
 * machine), or a PostgreSQL table any API node can read (several machines).
 */
export const artifactsConfigSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('files').describe('files under `<dataDir>/jobs/<jobId>/` (the default)') }).strict(),
    z
      .object({
        kind: z.literal('postgres').describe('a table in PostgreSQL, shared by every worker and API node'),
        url: secretRefSchema.describe('the connection string as env:NAME or file:/path (it may hold a password, so it is a secret)'),
        schema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (at most 63)').default('seatctl').describe('PostgreSQL schema of the `artifacts` table (created if absent)'),
      })
      .strict(),
  ])
  .describe('where evidence files, job documents and reports are stored');
export type ArtifactsConfig = z.infer<typeof artifactsConfigSchema>;

export const configSchema = z
  .object({
    $schema: z.string().optional().describe('ignored; lets editors find a JSON schema'),
    dataDir: z.string().min(1).default('.seatctl').describe('job records, evidence, sessions and logs; relative to the config file; created owner-only (0700), files 0600'),
    apps: z
      .record(z.string().regex(APP_NAME, 'app names are lower-case letters, digits and dashes'), appConfigSchema)
      .refine((apps) => Object.keys(apps).length > 0, 'at least one app is required')
      .describe('app name (lower-case letters, digits, dashes) → app config'),
    browser: browserConfigSchema.default({ headless: true, recycleAfterPages: 200, screenshots: true, trace: true, traceFilmstrip: false }),
    retry: retryPolicySchema.default({ attempts: 4, baseDelayMs: 250, maxDelayMs: 15_000, maxThrottleWaits: 30, throttleDelayMs: 2_000 }).describe('the default retry policy for every app'),
    approvals: approvalsSchema.default(DEFAULT_APPROVALS).describe('when a person must approve a job before it acts'),
    service: serviceConfigSchema.default({ allowedHosts: [], principals: [] }).describe('`seatctl serve` settings'),
    review: reviewConfigSchema.default(DEFAULT_REVIEW_CONFIG),
    notifications: notificationsSchema.default(DEFAULT_NOTIFICATIONS),
    queue: queueConfigSchema.default(DEFAULT_QUEUE),
    store: storeConfigSchema.default(DEFAULT_STORE_CONFIG),
    artifacts: artifactsConfigSchema.default({ kind: 'files' }),
  })
  .strict();
export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.infer<typeof configSchema>;
