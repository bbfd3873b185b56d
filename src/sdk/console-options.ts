import { z } from 'zod';

/**
 * Options every console driver understands (see ConsoleCommonOptions). A driver's own
 * options schema extends this: `consoleOptionsSchema.extend({ … })`.
 */
export const consoleOptionsSchema = z
  .object({
    locatorTimeoutMs: z.number().int().min(500).max(120_000).default(15_000).describe('how long a control may take to appear before the flow fails with LOCATOR_NOT_FOUND'),
    visitWindowMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(10_000)
      .describe('how old (ms) the data of a kept listing page may be for the next task to continue that signed-in visit instead of loading the page again; 0 turns console visits off'),
  })
  .strict();
