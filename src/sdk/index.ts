/**
 * The driver SDK: everything a driver written outside this repository needs, from one
 * import (`import { defineConsoleDriver, z } from 'seatctl'`). The built-in drivers use
 * the same builders, so this surface is exercised by them too.
 */
export { z } from 'zod';
export { SeatctlError, type ErrorCode } from '../errors/index.js';
export { hasAccess, normalizeEmail, type AppUser, type UserStatus } from '../model/index.js';
export type { ChangeResult, Driver, DriverCallContext, EvidenceSink, ListOptions, ProvisionSpec } from '../drivers/driver.js';
export { defineDriver, type DriverDefinition, type DriverDeps } from '../drivers/definition.js';
export { secretRefSchema } from '../config/secret-ref.js';
export type { HttpRequest, HttpResponse } from '../http/http-client.js';

// Console drivers: flows, locators, pop-ups, and the helpers for common console patterns.
export { defineConsoleDriver, type ConsoleCommonOptions } from '../console/define-console-driver.js';
export type { ConsoleDriverSpec } from '../console/console-driver-spec.js';
export type { FlowContext, LocatorFactory, LocatorMap, Popup } from '../console/flow-context.js';
export { readTable, type TableRow } from '../console/helpers/table.js';
export { totpCode } from '../console/helpers/totp.js';
export { findByEmail, statusFromText, usersFromTable, type UserColumns } from '../console/helpers/users-table.js';
export { consoleOptionsSchema } from './console-options.js';

// API drivers.
export { defineApiDriver } from '../drivers/api/define-api-driver.js';
export type { ApiAuth, ApiAuthContext, ApiDriverSpec, ApiFlowContext, ApiHttp, ApiRequest } from '../drivers/api/api-driver-spec.js';

// Checking a driver against a real app, read-only.
export { runSmoke, type SmokeInput, type SmokeResult } from './smoke.js';
