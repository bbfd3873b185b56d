import { createEvidenceSink } from '../../src/audit/evidence-sink.js';
import type { DriverCallContext } from '../../src/drivers/driver.js';
import { createRedactor } from '../../src/log/redactor.js';
import path from 'node:path';
import { scanRoot } from './scan-root.js';

/** A driver call context for tests that call drivers directly. */
export function testContext(dryRun = false): DriverCallContext {
  return { evidence: createEvidenceSink(path.join(scanRoot(), `seatctl-ev-${process.pid}-${Math.random().toString(36).slice(2)}`), createRedactor()), dryRun };
}
