export {summarize, summarizeResult, bootstrapMedianInterval, medianOfSorted, quantileOfSorted, seededRandom, spreadWarnings} from './statistics.js';
export type {SummarizeOptions} from './statistics.js';
export type {Comparison, Stats} from '../model/index.js';
export {compareSamples, mannWhitneyU} from './compare.js';
export type {CompareOptions, UTest} from './compare.js';
export {evaluateClaim} from './claims.js';
export type {ClaimFigure, ClaimInput, ClaimResult, ClaimVerdict} from './claims.js';
