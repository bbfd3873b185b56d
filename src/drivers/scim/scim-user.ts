import { normalizeEmail, type AppUser } from '../../model/index.js';
import type { ProvisionSpec } from '../driver.js';

/**
 * The SCIM core User (RFC 7643 §4.1) as far as seatctl reads and writes it. Unknown
 * attributes are kept in `raw` and sent back untouched by a PUT (a full replacement
 * must not drop what seatctl does not know).
 */
export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
} as const;

export interface ScimMultiValue {
  value?: unknown;
  primary?: boolean;
  type?: string;
  display?: string;
}

export interface ScimUser {
  id: string;
  userName?: string;
  externalId?: string;
  name?: { givenName?: string; familyName?: string; formatted?: string };
  displayName?: string;
  emails?: ScimMultiValue[];
  active?: boolean | string;
  userType?: string;
  roles?: ScimMultiValue[];
  meta?: { version?: string; resourceType?: string; location?: string };
  [key: string]: unknown;
}

export type RoleAttribute = 'roles' | 'userType';

export function isScimUser(value: unknown): value is ScimUser {
  return typeof value === 'object' && value !== null && typeof (value as ScimUser).id === 'string' && (value as ScimUser).id !== '';
}

/** The value marked primary, else the first: RFC 7643 §2.4 allows at most one primary. */
function primaryValue(values: ScimMultiValue[] | undefined): string | null {
  if (!Array.isArray(values) || !values.length) return null;
  const chosen = values.find((v) => v?.primary === true) ?? values[0];
  return typeof chosen?.value === 'string' && chosen.value ? chosen.value : null;
}

/**
 * `active` is a boolean in RFC 7643, but some servers (and Azure AD) send "True"/"False"
 * strings; absent means the server does not deactivate, so the account has access.
 */
export function isActive(user: ScimUser): boolean {
  if (typeof user.active === 'string') return user.active.toLowerCase() !== 'false';
  return user.active !== false;
}

export function roleOf(user: ScimUser, attribute: RoleAttribute): string | null {
  if (attribute === 'userType') return typeof user.userType === 'string' && user.userType ? user.userType : null;
  return primaryValue(user.roles);
}

export function emailOf(user: ScimUser): string {
  return primaryValue(user.emails) ?? user.userName ?? '';
}

/** userName and emails are `caseExact: false` (RFC 7643 §4.1.1, §4.1.2): compare without case. */
export function matchesEmail(user: ScimUser, email: string): boolean {
  const wanted = normalizeEmail(email);
  if (typeof user.userName === 'string' && normalizeEmail(user.userName) === wanted) return true;
  return Array.isArray(user.emails) && user.emails.some((e) => typeof e?.value === 'string' && normalizeEmail(e.value) === wanted);
}

export function versionOf(user: ScimUser): string | undefined {
  const v = user.meta?.version;
  return typeof v === 'string' && v ? v : undefined;
}

export function toAppUser(app: string, user: ScimUser, attribute: RoleAttribute): AppUser {
  const given = [user.name?.givenName, user.name?.familyName].filter(Boolean).join(' ');
  const email = emailOf(user);
  return {
    app,
    id: user.id,
    email,
    name: user.displayName || user.name?.formatted || given || email,
    role: roleOf(user, attribute),
    status: isActive(user) ? 'active' : 'inactive',
    origin: typeof user.externalId === 'string' && user.externalId ? 'idp' : null,
    lastSeen: null,
    raw: user,
  };
}

/** The attribute write for a role, in the shape PATCH `value` and PUT bodies both take. */
export function roleValue(role: string, attribute: RoleAttribute): Record<string, unknown> {
  return attribute === 'userType' ? { userType: role } : { roles: [{ value: role, primary: true }] };
}

/** POST /Users body (RFC 7644 §3.3): userName is the email, as IdPs provision it. */
export function createBody(spec: ProvisionSpec, attribute: RoleAttribute): Record<string, unknown> {
  const formatted = `${spec.firstName} ${spec.lastName}`.trim();
  return {
    schemas: [SCIM_SCHEMAS.user],
    userName: spec.email,
    name: { givenName: spec.firstName, familyName: spec.lastName, ...(formatted ? { formatted } : {}) },
    displayName: formatted || spec.email,
    emails: [{ value: spec.email, type: 'work', primary: true }],
    active: true,
    ...roleValue(spec.role, attribute),
  };
}

/**
 * PUT replaces the whole resource (RFC 7644 §3.5.1): start from the server's current
 * representation so nothing seatctl does not manage is dropped, leave out `meta`
 * (read-only, server-owned), and apply the change.
 */
export function replacementBody(current: ScimUser, change: Record<string, unknown>): Record<string, unknown> {
  const { meta: _meta, ...rest } = current;
  return { ...rest, schemas: Array.isArray(current.schemas) && current.schemas.length ? current.schemas : [SCIM_SCHEMAS.user], ...change };
}
