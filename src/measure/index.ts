export {summarize, summarizeResult, bootstrapMedianInterval, medianOfSorted, quantileOfSorted, seededRandom, spreadWarnings} from './statistics.js';
export type {SummarizeOptions} from './statistics.js';
export type {Comparison, Stats} from '../model/index.js';
export {compareSamples, mannWhitneyU} from './compare.js';
export type {CompareOptions, UTest} from './compare.js';
export {checkClaim, defaultTolerance, evaluateClaim, magnitudeOfClaim} from './claims.js';
export {compareReturnValues, sameResultAbsoluteTolerance, sameResultRelativeTolerance, sameResultWarnings, type ResultAgreement} from './same-result.js';
export type {ClaimEvaluation, ClaimFigure, ClaimInput, ClaimMagnitude, ClaimPair, ClaimResult, ClaimResults, ClaimTerm, ClaimValue, ClaimVerdict, EvaluateClaimOptions, MagnitudeVerdict} from './claims.js';
export {historyLength, minRuns, runSummary, withRunSpread} from './runs.js';
