/**
 * The public surface of the seatctl package: the driver SDK (builders, helpers, the
 * Driver interface and its types) and the job model a driver or a caller may need.
 */
export * from './errors/index.js';
export * from './model/index.js';
export * from './sdk/index.js';
