import { SeatctlError } from '../../errors/index.js';
import { errorForStatus } from '../../http/http-error.js';
import type { HttpResponse } from '../../http/http-client.js';

/**
 * SCIM error responses (RFC 7644 §3.12: `urn:ietf:params:scim:api:messages:2.0:Error`
 * with `status`, optional `scimType` and `detail`) as typed errors. The status decides
 * the code as for every HTTP API (errorForStatus); SCIM adds three readings on top:
 * - 401 is AUTH_FAILED, not SESSION_EXPIRED: a static token cannot be renewed by signing in again;
 * - 501 (RFC 7644 §3.12 "Not Implemented"), 405, and any refusal whose detail says the
 *   feature is "not enabled/supported/implemented" are UNSUPPORTED, so a hybrid route
 *   can hand the operation to the next driver (an app's console, say);
 * - `scimType` and `detail` go into the message and details, so a 400 says which rule.
 */
export interface ScimErrorBody {
  status?: unknown;
  scimType?: unknown;
  detail?: unknown;
}

const NOT_OFFERED = /\bnot\s+(enabled|supported|implemented|available)\b/i;

export function scimErrorBody(body: unknown): { scimType?: string; detail?: string } {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' && body ? { detail: body.slice(0, 300) } : {};
  const b = body as ScimErrorBody & { message?: unknown; error?: unknown };
  const detail = [b.detail, b.message, b.error].find((v): v is string => typeof v === 'string' && v !== '');
  return { ...(typeof b.scimType === 'string' && b.scimType ? { scimType: b.scimType } : {}), ...(detail ? { detail: detail.slice(0, 300) } : {}) };
}

export function scimError(app: string, what: string, res: HttpResponse<unknown>): SeatctlError {
  const { scimType, detail } = scimErrorBody(res.body);
  const status = res.status;
  const message = `${app}: ${what} returned ${status}${scimType ? ` (${scimType})` : ''}${detail ? `: ${detail}` : ''}`;
  const details = { app, status, ...(scimType ? { scimType } : {}) };
  if (status === 401) return new SeatctlError('AUTH_FAILED', `${message} (check the SCIM bearer token)`, { details });
  const notOffered = status === 501 || status === 405 || (status >= 400 && status < 500 && ![409, 412, 429].includes(status) && detail !== undefined && NOT_OFFERED.test(detail));
  if (notOffered) return new SeatctlError('UNSUPPORTED', message, { details });
  return errorForStatus(status, message, res.headers, details);
}
