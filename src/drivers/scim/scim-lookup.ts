import { SeatctlError } from '../../errors/index.js';
import { normalizeEmail } from '../../model/index.js';
import { providerConfig } from './scim-client.js';
import { eqFilter, needsCarefulMatch } from './scim-filter.js';
import type { ScimCtx } from './scim-options.js';
import { scimPages } from './scim-paging.js';
import { matchesEmail, type ScimUser } from './scim-user.js';

/**
 * Finding one person by email. The server's filter only narrows the search: every
 * candidate is compared here, without case, on userName and emails (RFC 7643:
 * `caseExact: false`), because servers differ — SCIMMY compares `eq` with case, and
 * cannot parse an escaped quote. So the value is tried as given and lower-cased, on
 * userName then emails.value; where the server refuses the filter, or the name holds
 * a quote or backslash that servers get wrong, the whole listing is read instead
 * (`scanWhenFilterFails`). Two accounts for one person is an error, never a guess.
 */
const isFilterRefusal = (err: unknown): boolean => err instanceof SeatctlError && (err.details.status === 400 || err.code === 'UNSUPPORTED');

function single(ctx: ScimCtx, email: string, hits: ScimUser[]): ScimUser | null {
  const byId = new Map(hits.map((u) => [u.id, u]));
  if (byId.size > 1) {
    throw new SeatctlError('CONFLICT', `${ctx.app}: ${byId.size} SCIM users match ${email} (ids ${[...byId.keys()].join(', ')}); resolve the duplicate in the app first`, {
      details: { app: ctx.app, userIds: [...byId.keys()] },
    });
  }
  return byId.values().next().value ?? null;
}

async function collect(ctx: ScimCtx, filter: string | undefined, pageSize: number, email: string): Promise<ScimUser[]> {
  const hits: ScimUser[] = [];
  for await (const page of scimPages<ScimUser>(ctx, { path: '/Users', ...(filter ? { filter } : {}), pageSize, maxPages: ctx.options.maxPages })) {
    hits.push(...page.filter((u) => matchesEmail(u, email)));
  }
  return hits;
}

export async function findScimUser(ctx: ScimCtx, email: string): Promise<ScimUser | null> {
  const config = await providerConfig(ctx);
  const wanted = normalizeEmail(email);
  const values = [...new Set([email.trim(), wanted])];
  const attributes = ctx.options.lookupByEmails ? (['userName', 'emails.value'] as const) : (['userName'] as const);
  const pageSize = Math.min(ctx.options.pageSize, config.filterMaxResults ?? Number.POSITIVE_INFINITY);
  let refused = config.filter === false;
  search: for (const attribute of refused ? [] : attributes) {
    for (const value of values) {
      try {
        const found = single(ctx, email, await collect(ctx, eqFilter(attribute, value), pageSize, wanted));
        if (found) return found;
      } catch (err) {
        if (!isFilterRefusal(err)) throw err;
        refused = true;
        ctx.log.info({ app: ctx.app, attribute }, 'the SCIM server refused the filter');
        break search;
      }
    }
  }
  if (!ctx.options.scanWhenFilterFails || !(refused || needsCarefulMatch(email))) return null;
  ctx.note(`looked ${email} up by reading the whole user listing (${refused ? 'the server refused the filter' : 'a quote or backslash in the name, which servers often mis-parse'})`);
  return single(ctx, email, await collect(ctx, undefined, ctx.options.pageSize, wanted));
}
