import {checkClaim, type ClaimInput, type ClaimResult} from '../measure/index.js';
import type {BlockOutcome, StoredResult} from '../model/index.js';
import {claimReferences} from '../parse/claim-expression.js';
import type {Notebook} from '../parse/types.js';

/**
 * Checks every claim block against the outcomes of a notebook. Only results that are shown count:
 * a failed or skipped run is never evidence; a stale result (skipped or failed since, or left out
 * by `--filter`) is, and the claim lists it in `stale` with its date and why it is not current.
 */
export function checkClaims(notebook: Notebook, outcomes: Record<string, BlockOutcome[]>): Record<string, ClaimResult> {
  const byKey = new Map<string, {input: ClaimInput; outcome: BlockOutcome & {stored: StoredResult}}>();
  for (const outcome of Object.values(outcomes).flat()) {
    if (outcome.stored) byKey.set(outcome.key, {input: claimInputOf(outcome.stored), outcome: outcome as BlockOutcome & {stored: StoredResult}});
  }
  const inputs = new Map([...byKey].map(([key, {input}]) => [key, input]));
  const claims: Record<string, ClaimResult> = {};
  for (const block of notebook.blocks) {
    if (!block.claim) continue;
    const result = checkClaim({id: block.id, claim: block.claim}, inputs);
    const keys = [...new Set(claimReferences(block.claim.expression).map((ref) => ref.key))];
    const stale = keys.flatMap((key) => {
      const found = byKey.get(key);
      if (!found?.outcome.stale || found.input.status !== 'ok') return [];
      const {stored, stale: reason} = found.outcome;
      return [{key, date: stored.date, machine: stored.machine.fingerprint, reason}];
    });
    claims[block.id] = stale.length > 0 && result.verdict !== 'not measured' ? {...result, stale} : result;
  }
  return claims;
}

/** What a claim may use of one stored result. */
export function claimInputOf(stored: StoredResult): ClaimInput {
  const {result, stats, machine} = stored;
  const rss = result.process?.maxRssKiB.length ? Math.max(...result.process.maxRssKiB) : result.memory?.maxRssKiB;
  return {
    status: result.status,
    ...(result.samples ? {samples: result.samples} : {}),
    ...(result.groups ? {groups: result.groups} : {}),
    ...(stats ? {stats} : {}),
    ...(result.memory?.peakBytes !== undefined ? {peakBytes: result.memory.peakBytes} : {}),
    ...(rss !== undefined ? {maxRssBytes: rss * 1024} : {}),
    ...(result.process?.startupNs !== undefined ? {startupNs: result.process.startupNs} : {}),
    stdout: result.stdout,
    ...(machine.physicalCores !== undefined ? {cores: machine.physicalCores} : {}),
    logicalCores: machine.cores
  };
}
