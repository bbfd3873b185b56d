/**
 * SCIM filter values (RFC 7644 §3.4.2.2): in `attrExp = attrPath SP compareOp SP
 * compValue`, a string `compValue` follows JSON's string rules (the ABNF says "rules
 * from JSON", RFC 7159 §7): wrapped in double quotes, with `"` written `\"`, `\` written
 * `\\` and control characters escaped. JSON.stringify of a string is exactly that form,
 * so a userName like `o"brien\x@example.com` can never end the quoted string early and
 * add an `or …` of its own.
 */
export function scimString(value: string): string {
  return JSON.stringify(value);
}

/** `<attr> eq "<value>"`, the one filter every SCIM server answers (IdPs send it). */
export function eqFilter(attribute: 'userName' | 'emails.value' | 'displayName', value: string): string {
  return `${attribute} eq ${scimString(value)}`;
}

/**
 * Values some servers get wrong even when escaped as the RFC says (SCIMMY 1.3 cannot
 * parse `\"` and does not unescape `\\`): a miss for such a value is not proof that
 * nobody has it.
 */
export function needsCarefulMatch(value: string): boolean {
  return /["\\]|[\u0000-\u001f]/.test(value);
}
