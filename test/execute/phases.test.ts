import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {closeExecutors, executeRun} from '../../src/execute/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import type {RunPhase} from '../../src/model/index.js';
import type {PlannedRun} from '../../src/plan/types.js';
import {plannedRun, temporaryCacheDir} from './helpers.js';

const {found, missing} = await resolveRuntimes(['python', 'go', 'js', 'c']);

after(closeExecutors);

/** Runs `run` through `executeRun` and returns the phases it reported, in order. */
async function phasesOf(run: PlannedRun, cacheDir: string): Promise<RunPhase[]> {
  const phases: RunPhase[] = [];
  const result = await executeRun(run, found[run.runtime]!, {cacheDir, onPhase: (phase) => phases.push(phase)});
  assert.equal(result.status, 'ok', result.stderr);
  return phases;
}

const measuring = (process: number, processes: number): RunPhase => ({phase: 'measuring', process, processes});

test('executors report their phases', async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);

  await t.test('python bench, 2 processes: measuring 1/2 then 2/2, nothing to build', {skip: missing['python']}, async () => {
    const run = plannedRun('python', 'bench', 'def bench():\n    return sum(range(10))\n', {measure: {processes: 2}});
    assert.deepEqual(await phasesOf(run, cacheDir), [measuring(1, 2), measuring(2, 2)]);
  });

  await t.test('python run block: running', {skip: missing['python']}, async () => {
    assert.deepEqual(await phasesOf(plannedRun('python', 'run', 'print(1)\n'), cacheDir), [{phase: 'running'}]);
  });

  await t.test('go bench: building, then each process; a cached build is not announced', {skip: missing['go']}, async () => {
    const run = plannedRun('go', 'bench', 'func bench() int { return 42 }\n', {measure: {processes: 2}});
    assert.deepEqual(await phasesOf(run, cacheDir), [{phase: 'building'}, measuring(1, 2), measuring(2, 2)]);
    assert.deepEqual(await phasesOf(run, cacheDir), [measuring(1, 2), measuring(2, 2)]);
  });

  await t.test('js bench, 2 workers: measuring 1/2 then 2/2', {skip: missing['js']}, async () => {
    const run = plannedRun('js', 'bench', 'export function bench() { return 42; }\n', {measure: {processes: 2}});
    assert.deepEqual(await phasesOf(run, cacheDir), [measuring(1, 2), measuring(2, 2)]);
  });

  await t.test('process mode: warming up, then timed runs counted against the runs expected', {skip: missing['python'] ?? missing['c']}, async () => {
    const run = plannedRun('python', 'bench', 'pass\n', {measure: {mode: 'process', runs: 3, warmup: 1, minTimeMs: 1}});
    const phases = await phasesOf(run, cacheDir);
    assert.deepEqual(phases.slice(0, 2), [{phase: 'warming-up'}, measuring(1, 3)]);
    for (const phase of phases.slice(1)) {
      assert.ok(phase.phase === 'measuring' && phase.process <= phase.processes, JSON.stringify(phase));
    }
  });
});
