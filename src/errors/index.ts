export * from './seatctl-error.js';
