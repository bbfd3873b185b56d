import { SeatctlError } from '../../errors/index.js';
import { scimSend } from './scim-client.js';
import type { ScimCtx } from './scim-options.js';

/**
 * Index paging (RFC 7644 §3.4.2.4): `startIndex` is 1-based, `count` is what we ask
 * for, and a server may return fewer — its own cap (§3.4.2.4 "MAY return fewer"),
 * or a short page before the end. So the next page starts after what was actually
 * returned, never after what was asked for; the listing ends at an empty page or
 * once startIndex passes totalResults. The list can shift while it is read (a user
 * created or removed mid-listing moves everyone after it), so ids already yielded
 * are dropped and a page of nothing new does not end the listing. A server that
 * ignores startIndex (the same page again and again) fails after two such pages,
 * and `maxPages` bounds everything else.
 */
export interface ScimPagesOptions {
  path: '/Users' | '/Groups';
  filter?: string;
  pageSize: number;
  maxPages: number;
  readPage?: <T>(read: () => Promise<T>) => Promise<T>;
  onTotal?: (total: number) => void;
}

interface ListBody {
  Resources?: unknown;
  totalResults?: unknown;
  itemsPerPage?: unknown;
}

const once = <T>(read: () => Promise<T>): Promise<T> => read();

const idOf = (r: unknown): string | undefined => {
  const id = (r as { id?: unknown } | null)?.id;
  return typeof id === 'string' && id ? id : undefined;
};

export async function* scimPages<T extends { id: string }>(ctx: ScimCtx, options: ScimPagesOptions): AsyncGenerator<T[]> {
  const readPage = options.readPage ?? once;
  const seen = new Set<string>();
  let startIndex = 1;
  let count = options.pageSize;
  let firstTotal: number | undefined;
  let stalled = 0;
  for (let pageNo = 1; ; pageNo++) {
    if (pageNo > options.maxPages) {
      throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET ${options.path} needed more than ${options.maxPages} pages (options.maxPages)`, { details: { app: ctx.app } });
    }
    const at = startIndex;
    const asked = count;
    const res = await readPage(() => scimSend<ListBody>(ctx, { method: 'GET', path: options.path, query: { ...(options.filter ? { filter: options.filter } : {}), startIndex: at, count: asked } }));
    const body = res.body;
    // Resources may be left out when nothing matched (RFC 7644 §3.4.2: REQUIRED only if totalResults is non-zero).
    if (typeof body !== 'object' || body === null || (body.Resources !== undefined && !Array.isArray(body.Resources))) {
      throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET ${options.path} answered without a SCIM ListResponse`, { details: { app: ctx.app } });
    }
    const resources = Array.isArray(body.Resources) ? body.Resources : [];
    const total = typeof body.totalResults === 'number' ? body.totalResults : undefined;
    if (pageNo === 1 && total !== undefined) {
      firstTotal = total;
      options.onTotal?.(total);
    } else if (total !== undefined && firstTotal !== undefined && total !== firstTotal) {
      ctx.log.warn({ app: ctx.app, from: firstTotal, to: total }, 'the SCIM listing changed while it was read; duplicates are dropped, and a user removed meanwhile may shift another past a page');
      firstTotal = total;
    }
    const fresh: T[] = [];
    for (const r of resources) {
      const id = idOf(r);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      fresh.push(r as T);
    }
    if (fresh.length) yield fresh;
    if (resources.length === 0) return;
    stalled = fresh.length === 0 ? stalled + 1 : 0;
    if (stalled >= 2) {
      throw new SeatctlError('UPSTREAM_REJECTED', `${ctx.app}: GET ${options.path} keeps returning users already listed (the server seems to ignore startIndex)`, { details: { app: ctx.app } });
    }
    startIndex = at + resources.length;
    if (total !== undefined && startIndex > total) return;
    // A server that caps pages says so in itemsPerPage: ask for that much from now on.
    const perPage = typeof body.itemsPerPage === 'number' ? body.itemsPerPage : undefined;
    if (perPage !== undefined && perPage > 0 && perPage < count) count = perPage;
  }
}
