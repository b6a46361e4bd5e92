import assert from 'node:assert/strict';
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import type {MeasureSettings, ReturnValue, RunResult} from '../../src/model/index.js';
import type {PlannedRun} from '../../src/plan/types.js';

/** Settings small enough to keep a test file well under its time budget. */
export const quickMeasure: MeasureSettings = {repeat: 3, warmup: 1, processes: 2, minSampleMs: 1, fn: 'bench', design: 'fixed'};

/** A planned run built by hand, as the planner would produce it. */
export function plannedRun(
  runtime: string,
  kind: PlannedRun['kind'],
  code: string,
  overrides: Partial<Omit<PlannedRun, 'measure'>> & {measure?: Partial<MeasureSettings>} = {}
): PlannedRun {
  const {measure, ...rest} = overrides;
  const blockId = rest.blockId ?? `${runtime}-${kind}`;
  return {
    key: blockId,
    blockId,
    kind,
    runtime,
    code,
    params: {},
    timeoutMs: 30_000,
    hash: 'test',
    ...rest,
    measure: {...quickMeasure, ...measure}
  };
}

/** A fresh build cache, removed by the returned cleanup. */
export async function temporaryCacheDir(): Promise<{cacheDir: string; cleanup: () => Promise<void>}> {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'benchbook-test-cache-'));
  return {cacheDir, cleanup: () => rm(cacheDir, {recursive: true, force: true})};
}

/** The middle value of `values`. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Asserts what every language's harness promises for a tiny bench block under `quickMeasure`: at
 * least `repeat` steady samples from each of `processes` processes (grouped by process), all
 * positive, each process's whole trace kept with its steady state, and a calibrated loop count per
 * process that made one sample last about `minSampleMs` (a quarter of it at least: a noisy host calibrates in one spell and samples in another).
 */
export function assertCalibrated(result: RunResult): void {
  assert.equal(result.groups?.length, quickMeasure.processes, 'one group of samples per process');
  assert.ok(result.groups.every((size) => size >= quickMeasure.repeat), `at least repeat steady samples per process: ${result.groups.join(', ')}`);
  assert.equal(result.samples?.length, result.groups.reduce((sum, size) => sum + size, 0));
  assert.ok(result.samples.every((sample) => sample > 0));
  assert.equal(result.traces?.length, quickMeasure.processes);
  assert.equal(result.steady?.length, quickMeasure.processes);
  for (const [index, trace] of result.traces.entries()) assert.ok(trace.length >= result.groups[index]! + quickMeasure.warmup, 'the trace holds the warm-up too');
  assert.equal(result.loops?.length, quickMeasure.processes);
  let from = 0;
  for (const [index, loops] of result.loops.entries()) {
    assert.ok(loops > 1, 'a tiny function needs many calls per sample');
    // Each process's own samples: a broken calibration is off by orders of magnitude, while a host whose
    // speed swings twofold within a second (seen here) can calibrate in a slow spell and sample in a fast one.
    const own = result.samples.slice(from, (from += result.groups[index]!));
    const sampleNs = loops * median(own);
    assert.ok(sampleNs >= 0.25 * quickMeasure.minSampleMs * 1e6, `process ${index}: ${loops} calls × ${median(own).toFixed(1)} ns = ${(sampleNs / 1e6).toFixed(2)} ms a sample, for a minimum of ${quickMeasure.minSampleMs} ms`);
  }
}

/**
 * What every harness should record for data whose canonical text (docs/measurement.md) is
 * `canonical`: its FNV-1a 64 digest, computed here apart from the harnesses, with BigInt.
 */
export function digestOf(canonical: string): ReturnValue {
  let digest = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(canonical, 'utf8')) digest = ((digest ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return {kind: 'digest', value: digest.toString(16).padStart(16, '0')};
}

/**
 * The canonical text of the mixed sequence each runtime's test returns: a string with a newline
 * (escaped) and a non-ASCII letter (kept), a float in scientific form, an integer, a boolean.
 */
export const mixedCanonical = '["héllo\\n",1.5e-7,3,true]';
