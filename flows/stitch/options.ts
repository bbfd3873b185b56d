import { z } from 'zod';
import { secretRefSchema } from '../../src/config/secret-ref.js';
import { consoleOptionsSchema } from '../../src/sdk/console-options.js';

export const stitchCredentialsSchema = z
  .object({
    email: z.email().describe('the Stitch login seatctl signs in as (an account admin)'),
    password: secretRefSchema.describe('its password, as a secret reference'),
  })
  .strict();

export const stitchOptionsSchema = consoleOptionsSchema;

export type StitchCredentials = z.infer<typeof stitchCredentialsSchema>;
export type StitchOptions = z.infer<typeof stitchOptionsSchema>;
