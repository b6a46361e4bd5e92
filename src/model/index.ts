/**
 * The shared vocabulary of the pipeline: the few types every stage speaks (a runtime, measurement
 * settings, a run's result, a stored record, a block's outcome) and their constructors. Every stage
 * may import this folder; it imports nothing of the pipeline.
 */
export * from './measure-settings.js';
export type * from './outcome.js';
export type * from './params.js';
export * from './result.js';
export type * from './runtime.js';
export type * from './stats.js';
export type * from './stored.js';
export * from './units.js';
