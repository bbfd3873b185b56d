import type { AppUser } from '../../model/index.js';

/** BigID's own user record (app-facts.md): `id` is a Mongo ObjectId, not the login name. */
export interface BigIdUser {
  id: string;
  name: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  role?: string;
  isEnabled?: boolean;
  origin?: string;
  createdAt?: string;
  updatedAt?: string;
  [key: string]: unknown;
}

export function isBigIdUser(value: unknown): value is BigIdUser {
  return typeof value === 'object' && value !== null && typeof (value as BigIdUser).id === 'string';
}

export function toAppUser(app: string, raw: BigIdUser): AppUser {
  const fullName = [raw.firstName, raw.lastName].filter(Boolean).join(' ');
  return {
    app,
    id: raw.id,
    email: raw.email ?? '',
    name: fullName || raw.name,
    role: raw.role || null,
    // BigID has no invited/pending state: an account is enabled or not.
    status: raw.isEnabled === false ? 'inactive' : 'active',
    origin: raw.origin ?? 'local',
    lastSeen: null,
    raw,
  };
}

/** Fields BigID owns; sending them back in a PUT is at best ignored. */
const READ_ONLY = new Set(['id', '_id', 'origin', 'createdAt', 'updatedAt', 'password']);

/**
 * PUT /users/{id} replaces the whole record: anything left out is reset (role dropped,
 * names blanked). So every update is "the full current record, with our change".
 */
export function mergedPutBody(current: BigIdUser, change: Partial<BigIdUser>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(current)) if (!READ_ONLY.has(k) && v !== undefined) body[k] = v;
  return { ...body, ...change };
}
