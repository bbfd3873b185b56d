import { z } from 'zod';

/**
 * One user as seatctl sees it, whatever the app calls things. `raw` keeps the app's
 * own record for evidence and for drivers that must merge before writing (BigID PUT).
 */
export const userStatusSchema = z.enum(['active', 'inactive', 'invited', 'pending', 'archived']);
export type UserStatus = z.infer<typeof userStatusSchema>;

export const appUserSchema = z.object({
  app: z.string(),
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string().nullable(),
  status: userStatusSchema,
  origin: z.string().nullable(),
  lastSeen: z.string().nullable().optional(),
  raw: z.unknown(),
});
export type AppUser = z.infer<typeof appUserSchema>;

/** Statuses in which a person no longer has access: offboarding them is a no-op. */
export const OFFBOARDED_STATUSES: readonly UserStatus[] = ['inactive', 'archived'];

export function hasAccess(user: Pick<AppUser, 'status'>): boolean {
  return !OFFBOARDED_STATUSES.includes(user.status);
}

/** Emails compare case-insensitively everywhere (every app here treats them so). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
