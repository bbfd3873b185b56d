import { z } from 'zod';

/**
 * Options every console driver understands (see ConsoleCommonOptions). A driver's own
 * options schema extends this: `consoleOptionsSchema.extend({ … })`.
 */
export const consoleOptionsSchema = z
  .object({
    locatorTimeoutMs: z.number().int().min(500).max(120_000).default(15_000).describe('how long a control may take to appear before the flow fails with LOCATOR_NOT_FOUND'),
  })
  .strict();
