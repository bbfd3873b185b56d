import { z } from 'zod';
import { secretRefSchema } from '../../src/config/secret-ref.js';
import { consoleOptionsSchema } from '../../src/sdk/console-options.js';

export const billcomCredentialsSchema = z
  .object({
    email: z.email().describe('the Bill.com login seatctl signs in as (an Administrator)'),
    password: secretRefSchema.describe('its password, as a secret reference'),
    totpSecret: secretRefSchema.describe("the base32 seed of the login's authenticator app (the backup MFA method), as a secret reference"),
  })
  .strict();

export const billcomOptionsSchema = consoleOptionsSchema
  .extend({
    organization: z.string().min(1).optional().describe('the organization to choose when the login belongs to several (required then)'),
    timeZone: z.string().min(1).default('America/Los_Angeles').describe('time zone for new users (an IANA id the console offers)'),
    trustDevice: z.boolean().default(true).describe('tick "Trust this device for 30 days" so later logins skip MFA'),
  })
  .strict();

export type BillcomCredentials = z.infer<typeof billcomCredentialsSchema>;
export type BillcomOptions = z.infer<typeof billcomOptionsSchema>;
