import { SeatctlError } from '../errors/index.js';

/** `--role bigid=Admin,sigma=Creator` → {bigid:'Admin', sigma:'Creator'}; the flag is named in errors. */
export function parsePairs(flag: string, values: string[] | undefined): Record<string, string> {
  // No prototype: `__proto__=x` or `constructor=x` is a (bad) app name, not a property of every object.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const value of values ?? []) {
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const eq = trimmed.indexOf('=');
      if (eq <= 0 || eq === trimmed.length - 1) throw new SeatctlError('USAGE', `${flag}: expected app=Value, got "${trimmed}"`, { details: { field: flag } });
      const app = trimmed.slice(0, eq).trim();
      if (Object.hasOwn(out, app)) throw new SeatctlError('USAGE', `${flag}: app "${app}" given twice`, { details: { field: flag } });
      out[app] = trimmed.slice(eq + 1).trim();
    }
  }
  return out;
}

/** `--team sigma=Finance,sigma=Data` → {sigma:['Finance','Data']}. */
export function parseMultiPairs(flag: string, values: string[] | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const value of values ?? []) {
    for (const part of value.split(',')) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const eq = trimmed.indexOf('=');
      if (eq <= 0 || eq === trimmed.length - 1) throw new SeatctlError('USAGE', `${flag}: expected app=Value, got "${trimmed}"`, { details: { field: flag } });
      (out[trimmed.slice(0, eq).trim()] ??= []).push(trimmed.slice(eq + 1).trim());
    }
  }
  return out;
}
