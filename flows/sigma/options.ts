import { z } from 'zod';
import { secretRefSchema } from '../../src/config/secret-ref.js';
import { consoleOptionsSchema } from '../../src/sdk/console-options.js';

export const sigmaCredentialsSchema = z
  .object({
    email: z.email().describe('the Sigma login seatctl signs in to the admin console as (an Admin account type)'),
    password: secretRefSchema.describe('its password, as a secret reference'),
  })
  .strict();

export const sigmaOptionsSchema = consoleOptionsSchema;

export type SigmaCredentials = z.infer<typeof sigmaCredentialsSchema>;
export type SigmaOptions = z.infer<typeof sigmaOptionsSchema>;
