export * from './budgets.js';
export * from './ClockSync.js';
export * from './InputLatencyTracker.js';
export * from './marker.js';
export * from './segments.js';
export * from './stats.js';
