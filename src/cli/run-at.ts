import { SeatctlError } from '../errors/index.js';
import { runAtSchema } from '../model/index.js';

/** How far in the past --run-at may be: a time typed a few seconds ago is "now", not a typo. */
export const RUN_AT_GRACE_MS = 60_000;

/**
 * `--run-at` as a person types it: an ISO 8601 time with a zone (the API's rule), not
 * more than a minute ago. A past time is refused rather than run at once: on a command
 * line it is most likely a wrong date. (Over HTTP a past runAt runs at once: an HR
 * event delivered late should still be acted on.)
 */
export function parseRunAt(value: string, now: number): string {
  const shown = JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (!runAtSchema.safeParse(value).success) {
    throw new SeatctlError('USAGE', `--run-at: ${shown} is not an ISO 8601 date-time with a time zone (e.g. 2026-12-01T09:00:00Z or 2026-12-01T10:00:00+01:00)`, { details: { field: '--run-at' } });
  }
  if (Date.parse(value) < now - RUN_AT_GRACE_MS) {
    throw new SeatctlError('USAGE', `--run-at: ${shown} is in the past; give a future time, or leave --run-at out to run now`, { details: { field: '--run-at' } });
  }
  return value;
}
