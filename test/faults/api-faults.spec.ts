import { test } from '@playwright/test';
import { API_DRIVERS, combinations, faultMode } from './matrix.js';
import { runFaultCase } from './run-case.js';

/**
 * The fault matrix for the API drivers (BigID, Sigma): one test per fault × driver
 * (× action in the full run), each against its own simulator and engine. The cases
 * and their expected terminal states are in matrix.ts; `npm run test:faults` runs the
 * full form and prints the table.
 */
const mode = faultMode();

for (const { fault, driver, action } of combinations(API_DRIVERS, mode)) {
  test(`${fault.name} × ${driver}${action === 'offboard' ? '' : ` (${action})`}`, async ({}, testInfo) => {
    await runFaultCase(fault, driver, action, mode, testInfo);
  });
}
