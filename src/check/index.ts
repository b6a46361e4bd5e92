/**
 * The check stage: each claim block decided from the outcomes of the run stage, read the way the
 * page shows them (a stale result is evidence, and the claim says it rests on it), and a build
 * compared with a saved baseline.
 */
export {checkClaims, claimInputOf} from './claims.js';
export {checkMachines, type BuildView, type CheckedMachine} from './machines.js';
export {compareClaims, compareNotebook, compareWithBaseline, regressionsOf} from './baseline.js';
export type {BlockChange, ChangeVerdict, ClaimChange, CompareBaselineOptions, NotebookComparison} from './baseline.js';
