export {summarize, bootstrapMedianInterval, medianOfSorted, quantileOfSorted, seededRandom, spreadWarnings} from './statistics.js';
export type {SummarizeOptions} from './statistics.js';
export type {Stats} from './types.js';
