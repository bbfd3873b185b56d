import type { z } from 'zod';
import type { RetryPolicy } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { HttpClient } from '../http/http-client.js';
import type { Driver } from './driver.js';

/**
 * A driver kind (`bigid-api`, `stitch-ui`, …): the schemas for its config keys and a
 * factory. Everything a driver needs comes in through `DriverDeps`, so tests can hand
 * it a simulator's URL and nothing else is global.
 */
export interface DriverDeps<C, O> {
  app: string;
  baseUrl: string;
  timeoutMs: number;
  credentials: C;
  options: O;
  /** Resolves a secret credential on first use; the value is registered for redaction. */
  secret(field: string): string;
  log: Logger;
  redactor: Redactor;
  http: HttpClient;
  /** The app's retry policy (config `retry`), for retries a driver runs itself (a console listing's pages). */
  retry?: RetryPolicy;
  /** Provided for console drivers by the engine (browser pool); absent for API drivers. */
  console?: unknown;
}

export interface DriverDefinition<C = unknown, O = unknown> {
  name: string;
  kind: 'api' | 'console';
  credentials: z.ZodType<C>;
  options: z.ZodType<O>;
  /** Credential fields that hold secret references (resolved lazily, always redacted). */
  secretFields: readonly string[];
  defaultConcurrency: number;
  create(deps: DriverDeps<C, O>): Driver;
}

export function defineDriver<C, O>(definition: DriverDefinition<C, O>): DriverDefinition<C, O> {
  return definition;
}

export type DriverRegistry = Record<string, DriverDefinition<any, any>>;

/** What every driver spec (console or API) starts with: its name and config schemas. */
export interface DriverSpecBase<C, O> {
  /** The driver kind, e.g. `acme-ui`: doctor and reports show it. */
  name: string;
  credentials: z.ZodType<C>;
  options: z.ZodType<O>;
  /** Credential fields holding secret references (`env:NAME`, `file:/path`). */
  secretFields: readonly string[];
  /** Tasks in flight against one app at once; the builder's default unless given. */
  defaultConcurrency?: number;
}

/** How the SDK builders turn a spec into a definition: same keys, their own factory. */
export function definitionFromSpec<C, O>(spec: DriverSpecBase<C, O>, kind: 'api' | 'console', concurrency: number, create: (deps: DriverDeps<C, O>) => Driver): DriverDefinition<C, O> {
  return defineDriver<C, O>({
    name: spec.name,
    kind,
    credentials: spec.credentials,
    options: spec.options,
    secretFields: spec.secretFields,
    defaultConcurrency: spec.defaultConcurrency ?? concurrency,
    create,
  });
}
