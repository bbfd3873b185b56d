import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';

/**
 * A Playwright trace records every request and response with their headers and a HAR
 * `cookies` list: a console's session cookie (and Bill.com's 30-day trusted-device
 * cookie, which skips MFA) would be replayable by anyone who can read the evidence. So
 * before a trace is hashed and stored its network log loses `Cookie`, `Set-Cookie`,
 * `Authorization` and `Proxy-Authorization` values and the cookie lists, and every
 * known secret value (the session's cookie values, resolved credentials) is replaced
 * wherever it appears in the trace's text entries. The trace stays a valid trace:
 * Playwright's viewer opens it, with `[REDACTED]` where the values were.
 */
export const REDACTED_VALUE = '[REDACTED]';
const SECRET_HEADERS = new Set(['cookie', 'set-cookie', 'authorization', 'proxy-authorization']);
/** Text entries a value could be copied into: the event logs and text resources (HTML, JSON, scripts). */
const TEXT_ENTRY = /(\.trace|\.network|\.stacks|\.html?|\.json|\.txt|\.js|\.css)$/i;

interface HarHeader {
  name: string;
  value: string;
}
interface HarMessage {
  headers?: HarHeader[];
  cookies?: { name: string; value: string }[];
}

function scrubMessage(message: HarMessage | undefined): void {
  if (!message) return;
  if (Array.isArray(message.headers)) {
    for (const h of message.headers) if (SECRET_HEADERS.has(String(h.name).toLowerCase())) h.value = REDACTED_VALUE;
  }
  if (Array.isArray(message.cookies)) for (const c of message.cookies) c.value = REDACTED_VALUE;
}

/** One JSON event per line; network entries get their headers and cookies scrubbed. */
function scrubEventLines(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('"resource-snapshot"')) return line;
      try {
        const event = JSON.parse(line) as { type?: string; snapshot?: { request?: HarMessage; response?: HarMessage } };
        if (event.type !== 'resource-snapshot') return line;
        scrubMessage(event.snapshot?.request);
        scrubMessage(event.snapshot?.response);
        return JSON.stringify(event);
      } catch {
        return line;
      }
    })
    .join('\n');
}

function replaceAll(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED_VALUE);
  return out;
}

/** Returns the trace zip with secrets removed; `values` are exact strings to remove anywhere. */
export function scrubTrace(zip: Uint8Array, values: readonly string[]): Uint8Array {
  // Longest first, so a value that contains another is replaced whole; short values
  // (under 6 characters) would match ordinary text and are left to the header scrub.
  const secrets = [...new Set(values)].filter((v) => v.length >= 6).sort((a, b) => b.length - a.length);
  const entries = unzipSync(zip);
  const out: Record<string, Uint8Array | [Uint8Array, { level: 0 }]> = {};
  for (const [name, data] of Object.entries(entries)) {
    if (!TEXT_ENTRY.test(name)) {
      // Screenshots (JPEG) and other binaries: stored, not deflated again. Deflating
      // them gains nothing and cost most of the re-zip (a deactivation's trace: 42 ms → 5 ms).
      out[name] = [data, { level: 0 }];
      continue;
    }
    let text = strFromU8(data);
    if (name.endsWith('.network') || name.endsWith('.trace')) text = scrubEventLines(text);
    out[name] = strToU8(replaceAll(text, secrets));
  }
  return zipSync(out, { level: 6 });
}
