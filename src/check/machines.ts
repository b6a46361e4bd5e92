import type {ClaimResult} from '../measure/index.js';
import type {BlockOutcome, Machine} from '../model/index.js';
import type {Plan} from '../plan/types.js';
import {machineOutcomes} from '../run/index.js';
import type {ResultStore} from '../store/index.js';
import {checkClaims} from './claims.js';

/** One machine's results of a notebook, with its claims checked on them alone. */
export interface CheckedMachine {
  machine: Machine;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/**
 * Every machine with stored results for the plan, each with its claims checked on its own results:
 * the page shows them side by side when there is more than one. This build's machine shows what the
 * build shows (`outcomes`, with stale marks); the others, what they stored.
 */
export async function checkMachines(plan: Plan, store: ResultStore, machine: Machine, outcomes: Record<string, BlockOutcome[]> | undefined): Promise<CheckedMachine[]> {
  const stored = await machineOutcomes(plan, store, machine).catch(() => []);
  return stored.map((view) => {
    const shown = outcomes && view.machine.fingerprint === machine.fingerprint ? outcomes : view.outcomes;
    return {machine: view.machine, outcomes: shown, claims: checkClaims(plan.notebook, shown)};
  });
}
