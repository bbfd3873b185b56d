import type { Driver, DriverCallContext } from './driver.js';

/**
 * The read-only check doctor and the smoke helper run: the driver's own canary when it
 * has one (consoles walk their menu path), else the first page of active users.
 */
export async function runCanary(driver: Driver, call: DriverCallContext): Promise<number> {
  if (driver.canary) return (await driver.canary(call)).users;
  for await (const page of driver.listUsers(call, { includeInactive: false })) return page.length;
  return 0;
}
