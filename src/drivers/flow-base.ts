import type { Logger } from '../log/logger.js';

/**
 * What every flow sees, console or API: which app, its config, whether this is a dry
 * run, a logger and the secrets. Each builder's context adds its own tools (a page and
 * locators; an HTTP client).
 */
export interface FlowBase<C = unknown, O = unknown> {
  app: string;
  baseUrl: string;
  credentials: C;
  options: O;
  /** True in a dry run: reads happen, changes are only prepared and shown. */
  dryRun: boolean;
  log: Logger;
  /** Resolves a secret credential (the value is always redacted afterwards). */
  secret(field: string): string;
}
