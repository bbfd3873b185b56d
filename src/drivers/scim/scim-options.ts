import { z } from 'zod';
import { secretRefSchema } from '../../config/secret-ref.js';
import type { ApiFlowContext } from '../api/api-driver-spec.js';

/**
 * The `scim2` driver's config keys. SCIM standardises the protocol, not what a
 * vendor calls a role, so the role mapping and the role names are configuration.
 */
export const scimCredentialsSchema = z
  .object({
    token: secretRefSchema.describe('the static SCIM bearer token the app issued (sent as `Authorization: Bearer …`), as a secret reference; it is never logged or recorded'),
  })
  .strict();

export const scimOptionsSchema = z
  .object({
    roles: z
      .array(z.string().min(1))
      .min(1)
      .describe('the role names this app accepts (SCIM has no endpoint that lists them): `listRoles` answers these, and a role outside them is refused before anything is sent'),
    roleAttribute: z
      .enum(['roles', 'userType'])
      .default('roles')
      .describe('where a role is written: `roles` (RFC 7643 §4.1.2, multi-valued; seatctl writes one primary value) or `userType` (§4.1.1; Sigma maps it to the account type)'),
    pageSize: z.number().int().min(1).max(1000).default(100).describe('`count` asked for per page; a server may serve fewer (its cap, or a short page) and the listing follows from where it stopped'),
    maxPages: z.number().int().min(1).max(1_000_000).default(10_000).describe('a listing that needs more pages than this fails instead of looping on a server that ignores `startIndex`'),
    updateMethod: z
      .enum(['auto', 'patch', 'put'])
      .default('auto')
      .describe('`auto`: PATCH, unless `/ServiceProviderConfig` says `patch.supported: false`, then GET + PUT of the whole user; `patch`/`put` force one'),
    etags: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('`auto`: send `If-Match` on PATCH/PUT/DELETE when the server offers ETags (`etag.supported`, an `ETag` header or `meta.version`); a 412 re-reads and retries once'),
    lookupByEmails: z.boolean().default(true).describe('when `userName eq` finds nobody, also try `emails.value eq` (for servers whose userName is not the email)'),
    scanWhenFilterFails: z
      .boolean()
      .default(true)
      .describe('when the server refuses the filter (400) or gets a quoted/backslashed name wrong, find the user by reading the whole listing instead'),
  })
  .strict();

export type ScimCredentials = z.infer<typeof scimCredentialsSchema>;
export type ScimOptions = z.infer<typeof scimOptionsSchema>;
export type ScimCtx = ApiFlowContext<ScimCredentials, ScimOptions>;
