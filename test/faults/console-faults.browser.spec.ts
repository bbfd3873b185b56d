import { test } from '@playwright/test';
import { CONSOLE_DRIVERS, combinations, faultMode } from './matrix.js';
import { runFaultCase } from './run-case.js';

/**
 * The fault matrix for the console drivers (Stitch, Bill.com): one test per fault ×
 * console (× action in the full run), each with its own simulator, engine and
 * Chromium. Expected terminal states are in matrix.ts.
 */
const mode = faultMode();

for (const { fault, driver, action } of combinations(CONSOLE_DRIVERS, mode)) {
  test(`${fault.name} × ${driver}${action === 'offboard' ? '' : ` (${action})`}`, async ({}, testInfo) => {
    test.setTimeout(180_000);
    await runFaultCase(fault, driver, action, mode, testInfo);
  });
}
