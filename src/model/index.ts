export * from './app-user.js';
export * from './evidence.js';
export * from './task.js';
export * from './job.js';
export * from './job-request.js';
export * from './desired-state.js';
export * from './decision-request.js';
