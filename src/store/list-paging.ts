import { SeatctlError } from '../errors/index.js';

/**
 * Keyset paging for JobStore.list, shared by every backend so a cursor means the same
 * thing whichever store issued it. The cursor is the (createdAt, id) of the last job
 * on the page: unlike an offset, it neither skips nor repeats jobs when new ones
 * arrive between pages, and id breaks ties between jobs created in the same ms.
 */
export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export interface PagePosition {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id]), 'utf8').toString('base64url');
}

/** A cursor comes back from clients (query strings): anything malformed is their error. */
export function decodeCursor(cursor: string): PagePosition {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
    throw new SeatctlError('USAGE', 'cursor: not a cursor from a previous page of this list', { details: { field: 'cursor' } });
  }
  return { createdAt: value[0], id: value[1] };
}

/** Missing or nonsense → the default; otherwise clamped to 1..MAX_PAGE_LIMIT. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}
