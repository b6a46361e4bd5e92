import type {ClaimResult} from '../measure/index.js';
import type {BlockOutcome, Machine} from '../model/index.js';
import type {Notebook} from '../parse/types.js';
import type {MachineOutcomes} from '../run/index.js';
import {checkClaims} from './claims.js';

/** One machine's results of a notebook, with its claims checked on them alone. */
export interface CheckedMachine {
  machine: Machine;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/** What this build shows of its own machine: its outcomes (with stale marks) and the claims checked on them. */
export interface BuildView {
  machine: Pick<Machine, 'fingerprint'>;
  outcomes: Record<string, BlockOutcome[]>;
  claims: Record<string, ClaimResult>;
}

/**
 * Every machine with stored results (`run`'s `machineOutcomes`), each with its claims checked on its
 * own results: the page shows them side by side when there is more than one. This build's machine
 * shows what the build shows, its claims as already checked; the others, what they stored.
 */
export function checkMachines(notebook: Notebook, machines: MachineOutcomes[], build?: BuildView): CheckedMachine[] {
  return machines.map((view) =>
    build && view.machine.fingerprint === build.machine.fingerprint
      ? {machine: view.machine, outcomes: build.outcomes, claims: build.claims}
      : {machine: view.machine, outcomes: view.outcomes, claims: checkClaims(notebook, view.outcomes)}
  );
}
