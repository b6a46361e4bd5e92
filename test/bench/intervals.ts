/**
 * `npm run bench:intervals`: are benchbook's intervals honest, and are they cheap? A benchmark, not a
 * test: it prints its figures and asserts nothing.
 *
 * - **Coverage**: one block, `sum(range(1000))` in CPython at the default settings (the automatic
 *   design within the default budget), measured `--runs` times (default 11) in separate builds. The
 *   issue asks that each run's 95% interval covers the next run's median at least 9 times in 10.
 * - **Cost**: the same runs' interval half-width (at most 1% asked) and wall time, beside pyperf's
 *   default `timeit` of the same statement on the same interpreter: its wall time and the half-width of
 *   a two-level bootstrap over its processes (ours, `hierarchicalMedianInterval`). At most a third of
 *   pyperf's time asked.
 *
 *   npm run bench:intervals
 *   npm run bench:intervals -- --runs 5
 */
import {execFile} from 'node:child_process';
import {readFile, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs, promisify} from 'node:util';
import {closeExecutors} from '../../src/execute/index.js';
import {hierarchicalMedianInterval} from '../../src/measure/hierarchical.js';
import type {StoredResult} from '../../src/model/index.js';
import {defaultCacheDir} from '../../src/paths.js';
import {scratchProject} from '../helpers/build.js';

const {values} = parseArgs({options: {runs: {type: 'string', default: '11'}}});
const runs = Number(values.runs);
const run = promisify(execFile);

const notebook = `---
title: One statement, measured again and again
---

\`\`\`python bench id=sum
def bench():
    return sum(range(1000))
\`\`\`
`;

const scratch = await scratchProject();
try {
  const file = path.join(scratch.dir, 'intervals.md');
  await writeFile(file, notebook);
  const results: StoredResult[] = [];
  for (let index = 0; index < runs; index++) {
    await scratch.build([file], {rerun: true});
    const [folder] = await (await import('node:fs/promises')).readdir(path.join(scratch.dataDir, 'intervals'));
    results.push(JSON.parse(await readFile(path.join(scratch.dataDir, 'intervals', folder!, 'sum.json'), 'utf8')) as StoredResult);
  }
  const percent = (value: number) => `${(value * 100).toFixed(2)}%`;
  let covered = 0;
  console.log('run  median ns   95% interval        half-width  this run alone  processes x samples  wall s');
  results.forEach((result, index) => {
    const {median, ci} = result.stats!;
    const next = results[index + 1]?.stats?.median;
    const covers = next === undefined ? '' : next >= ci[0] && next <= ci[1] ? '  covers the next' : '  misses the next';
    if (next !== undefined && next >= ci[0] && next <= ci[1]) covered++;
    const design = result.result.design;
    console.log(`${String(index + 1).padStart(3)}  ${median.toFixed(1).padStart(9)}   ${ci[0].toFixed(1)}-${ci[1].toFixed(1)}`.padEnd(40) + `${percent((ci[1] - ci[0]) / 2 / median).padStart(8)}  ${percent(halfOf(result.stats!.runs?.ownCi ?? ci, median)).padStart(14)}  ${`${design?.processes ?? '?'} x ${design?.samplesPerProcess ?? '?'}`.padStart(19)}  ${(result.result.durationMs / 1000).toFixed(2).padStart(6)}${covers}`);
  });
  const owns = results.map((result) => halfOf(result.stats!.runs?.ownCi ?? result.stats!.ci, result.stats!.median)).sort((a, b) => a - b);
  const widths = results.map((result) => (result.stats!.ci[1] - result.stats!.ci[0]) / 2 / result.stats!.median).sort((a, b) => a - b);
  const walls = results.map((result) => result.result.durationMs / 1000).sort((a, b) => a - b);
  const middle = (sorted: number[]) => sorted[sorted.length >> 1]!;
  console.log(`\ncoverage: ${covered} of ${results.length - 1} intervals hold the next run's median (at least 9 in 10 asked)`);
  const known = results.slice(2, -1).filter((result, index) => {
    const next = results[index + 3]!.stats!.median;
    return next >= result.stats!.ci[0] && next <= result.stats!.ci[1];
  }).length;
  console.log(`from the third run on, once the spread between runs is known: ${known} of ${Math.max(0, results.length - 3)}`);
  console.log(`ours: median half-width ${percent(middle(widths))} (this run's processes alone ${percent(middle(owns))}), median wall time ${middle(walls).toFixed(2)} s per run`);

  // pyperf on the interpreter the block ran on (pyperf from the project's venv on its path).
  const python = results[0]!.runtime.executable;
  const venvSite = await run(path.join(defaultCacheDir, 'venv', 'bin', 'python'), ['-c', 'import pyperf, os; print(os.path.dirname(os.path.dirname(pyperf.__file__)))']);
  const out = path.join(scratch.dir, 'pyperf.json');
  const started = performance.now();
  await run(python, ['-m', 'pyperf', 'timeit', '--quiet', '-o', out, 'sum(range(1000))'], {env: {...process.env, PYTHONPATH: venvSite.stdout.trim()}, maxBuffer: 64 << 20});
  const pyperfSeconds = (performance.now() - started) / 1000;
  const exported = JSON.parse(await readFile(out, 'utf8')) as {benchmarks: Array<{runs: Array<{values?: number[]}>}>};
  const groups = exported.benchmarks[0]!.runs.flatMap((item) => (item.values?.length ? [item.values.map((value) => value * 1e9)] : []));
  const all = groups.flat().sort((a, b) => a - b);
  const median = all[all.length >> 1]!;
  const [low, high] = hierarchicalMedianInterval(groups);
  console.log(`pyperf timeit (${python}): ${groups.length} processes x ${groups[0]?.length ?? 0} values, median ${median.toFixed(1)} ns, half-width ${percent((high - low) / 2 / median)} by the same two-level bootstrap, ${pyperfSeconds.toFixed(1)} s`);
  console.log(`time ratio ours / pyperf: ${(middle(walls) / pyperfSeconds).toFixed(2)} (at most 0.33 asked); median ratio ours / pyperf ${(middle(results.map((result) => result.stats!.median).sort((a, b) => a - b)) / median).toFixed(3)}`);
  console.log(`load average ${os.loadavg()[0]!.toFixed(2)} on ${os.availableParallelism()} CPUs`);
} finally {
  await closeExecutors();
  await scratch.dispose();
}

/** Half the width of an interval, as a fraction of the median. */
function halfOf(ci: readonly [number, number] | readonly number[], median: number): number {
  return (ci[1]! - ci[0]!) / 2 / median;
}
