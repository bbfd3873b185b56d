/**
 * Keeps secrets out of everything seatctl writes: logs, evidence, reports, errors.
 * Two nets: field names that smell secret are censored whatever their value, and
 * every secret value resolved at run time is scrubbed wherever it appears in text
 * (an app may echo a token inside an error message).
 */
export const SECRET_KEY_PATTERN = /pass(word)?|secret|token|authorization|totp|otp|cookie|credential|api[-_]?key|session/i;
export const REDACTED = '[REDACTED]';

export interface Redactor {
  /** Registers a resolved secret value so it is scrubbed from any text. */
  add(secret: string): void;
  scrub(text: string): string;
  scrubDeep<T>(value: T): T;
  readonly secrets: readonly string[];
}

export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  // Longest first, so a secret that contains another is replaced whole.
  let ordered: string[] = [];

  const scrub = (text: string): string => {
    let out = text;
    for (const s of ordered) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  };

  const scrubDeep = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (value === null || typeof value !== 'object' || depth > 12) return value;
    if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth + 1));
    if (value instanceof Error) return { name: value.name, message: scrub(value.message) };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SECRET_KEY_PATTERN.test(k) && v !== null && v !== undefined && typeof v !== 'boolean' ? REDACTED : scrubDeep(v, depth + 1);
    }
    return out;
  };

  return {
    add(secret) {
      // Very short values would scrub ordinary words; config validation refuses them anyway.
      if (secret.length < 4 || secrets.has(secret)) return;
      secrets.add(secret);
      ordered = [...secrets].sort((a, b) => b.length - a.length);
    },
    scrub,
    scrubDeep: <T>(value: T) => scrubDeep(value, 0) as T,
    get secrets() {
      return [...secrets];
    },
  };
}
