/**
 * Escaping for the HTML reports. Everything that came from a user or an app (names,
 * emails, error messages) goes through `esc`; a user named `<img src=x onerror=…>`
 * must render as text.
 */
const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/**
 * Bidi controls (U+202E RIGHT-TO-LEFT OVERRIDE and friends) make `gpj.exe` read as
 * `exe.jpg`: in a report an auditor signs, they are shown as `<U+202E>`, never obeyed.
 */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function esc(value: unknown): string {
  return String(value ?? '')
    .replace(/[&<>"'`]/g, (c) => MAP[c]!)
    .replace(BIDI, (c) => `&lt;U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}&gt;`);
}

/** Tagged template that escapes every interpolation unless it is already `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function render(v: unknown): string {
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(v);
}

export const raw = (s: string): Html => new Html(s);
