import type { AppUser } from '../../model/index.js';

/** Sigma's member record: `memberId` is a UUID, not the email. */
export interface SigmaMember {
  memberId: string;
  email: string;
  firstName?: string;
  lastName?: string;
  memberType?: string;
  isArchived?: boolean;
  isAdmin?: boolean;
  [key: string]: unknown;
}

export function isSigmaMember(value: unknown): value is SigmaMember {
  return typeof value === 'object' && value !== null && typeof (value as SigmaMember).memberId === 'string';
}

export function toAppUser(app: string, raw: SigmaMember): AppUser {
  return {
    app,
    id: raw.memberId,
    email: raw.email,
    name: [raw.firstName, raw.lastName].filter(Boolean).join(' ') || raw.email,
    role: raw.memberType ?? null,
    // Sigma's DELETE archives: the member keeps its record but loses access.
    status: raw.isArchived ? 'archived' : 'active',
    origin: typeof raw.userKind === 'string' ? raw.userKind : null,
    lastSeen: null,
    raw,
  };
}
