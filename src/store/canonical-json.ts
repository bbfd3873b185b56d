import { SeatctlError } from '../errors/index.js';

/**
 * One byte-exact JSON text per value, so a hash computed when an audit record is
 * written can be recomputed later from the record as read back (by the store, the
 * HTML report or `seatctl jobs verify`), whatever order the keys came back in.
 *
 * Rules: object keys sorted by UTF-16 code unit order (Array#sort default, the same
 * on every platform), recursively; no whitespace; everything else exactly as
 * JSON.stringify writes it, including its treatment of `undefined` (object keys
 * dropped, array items become null), non-finite numbers (null) and toJSON().
 * Feed it JSON-shaped data: what JSON.parse(JSON.stringify(x)) gives back hashes the
 * same as x, which is what makes stored records verifiable.
 */
export function canonicalJson(value: unknown): string {
  const text = write(value, new Set());
  // Only a top-level undefined/function/symbol gets here: JSON has no text for it.
  if (text === undefined) throw new SeatctlError('INTERNAL', 'canonicalJson: the value has no JSON form');
  return text;
}

function write(value: unknown, parents: Set<object>): string | undefined {
  const v = hasToJson(value) ? value.toJSON() : value;
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'bigint') throw new SeatctlError('INTERNAL', 'canonicalJson: bigint has no JSON form');
    // JSON.stringify gives undefined for undefined/functions/symbols; callers drop or null them.
    return JSON.stringify(v) as string | undefined;
  }
  if (parents.has(v)) throw new SeatctlError('INTERNAL', 'canonicalJson: circular structure');
  parents.add(v);
  try {
    // Array.from, not map: map skips holes, JSON.stringify writes them as null.
    if (Array.isArray(v)) return `[${Array.from(v, (item: unknown) => write(item, parents) ?? 'null').join(',')}]`;
    const parts: string[] = [];
    for (const key of Object.keys(v).sort()) {
      const text = write((v as Record<string, unknown>)[key], parents);
      if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
    }
    return `{${parts.join(',')}}`;
  } finally {
    parents.delete(v);
  }
}

function hasToJson(value: unknown): value is { toJSON(): unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
}
