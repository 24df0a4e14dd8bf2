export * from './capture.js';
export * from './errors.js';
export * from './input.js';
export * from './latency.js';
export * from './parse.js';
export * from './sensors.js';
export * from './signaling.js';
export * from './version.js';
