import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import type {StoredResult} from '../../src/model/index.js';
import {packageRoot} from '../../src/paths.js';
import {ResultStore} from '../../src/store/index.js';
import {describeMachine} from '../../src/store/machine.js';
import {scratchProject} from '../helpers/build.js';
import {fixture} from '../helpers/paths.js';

const run = promisify(execFile);

/** Maximum resident set size of a command under GNU time, KiB. */
async function peakUnderTime(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const {stderr} = await run('/usr/bin/time', ['-v', file, ...args], {env: {...process.env, ...env}});
  const kib = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1];
  assert.ok(kib, stderr);
  return Number(kib);
}

async function stored(dataDir: string, notebook: string, key: string): Promise<StoredResult> {
  const record = await new ResultStore(dataDir).read(notebook, describeMachine().fingerprint, key);
  assert.ok(record, `a stored result for ${key}`);
  return record;
}

test('each block reports the peak resident set of its own processes', {skip: process.platform !== 'linux' && 'VmHWM is Linux'}, async (t) => {
  const scratch = await scratchProject();
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-memory-cache-'));
  t.after(async () => {
    await scratch.dispose();
    await rm(cacheDir, {recursive: true, force: true});
  });
  const summary = await scratch.build([fixture('execute/memory.md')], {cacheDir});
  assert.equal(summary.run, 4, scratch.lines.join('\n'));
  const kib = async (key: string) => (await stored(scratch.dataDir, 'memory', key)).result.memory?.maxRssKiB ?? Number.NaN;

  for (const key of ['big', 'big-again']) assert.ok((await kib(key)) >= 200 * 1024, `${key}: ${await kib(key)} KiB holds 200 MiB`);

  // The very Go program the report measured, under /usr/bin/time -v.
  const builds = (await readdir(path.join(cacheDir, 'build'))).filter((name) => name.startsWith('go-'));
  assert.equal(builds.length, 1, `one Go build: ${builds}`);
  const scratchResult = path.join(cacheDir, 'time-result.json');
  const goUnderTime = await peakUnderTime(path.join(cacheDir, 'build', builds[0]!, 'block'), [], {BENCHBOOK_RESULT: scratchResult, BENCHBOOK_MIN_SAMPLE_NS: '1000000', BENCHBOOK_REPEAT: '3'});
  const go = await kib('tiny-go');
  assert.ok(go <= 1.5 * goUnderTime && go >= goUnderTime / 1.5, `Go after Python: ${go} KiB, under /usr/bin/time -v ${goUnderTime} KiB`);

  // JS blocks are timed in a shared pool; their memory comes from a process of their own, compared here with the same under time.
  const block = path.join(cacheDir, 'tiny.mjs');
  await (await import('node:fs/promises')).writeFile(block, 'export function bench() {\n  return 1;\n}\n');
  const jsUnderTime = await peakUnderTime(process.execPath, [path.join(packageRoot, 'src/runtimes/harness/memory.mjs'), block, 'bench', '1000'], {BENCHBOOK_RESULT: scratchResult});
  const js = await kib('tiny-js');
  assert.ok(js <= 1.5 * jsUnderTime && js >= jsUnderTime / 1.5, `JS after Python: ${js} KiB, under /usr/bin/time -v ${jsUnderTime} KiB`);
  void readFile;
});

test('warm-up is found and left out, and a block that never settles is flagged', async (t) => {
  const scratch = await scratchProject();
  t.after(() => scratch.dispose());
  const summary = await scratch.build([fixture('execute/warm-up.md')]);
  assert.equal(summary.run, 3, scratch.lines.join('\n'));
  const warms = await stored(scratch.dataDir, 'warm-up', 'warms');
  const fast = await stored(scratch.dataDir, 'warm-up', 'fast');
  const classes = warms.result.steady!.map((state) => state.classification);
  // The warm-up is never missed: no process reads flat. What follows it is the host's: one whose speed
  // swings may slow a process down again in its fast phase ('slow-down', seen in CI as warm-up,
  // slow-down, slow-down, warm-up) or leave it moving ('no steady state'). The checks below hold for
  // every process whatever it reads: the slow phase is before its steady part and left out.
  assert.ok(!classes.includes('flat') && classes.includes('warm-up'), `classes: ${classes}`);
  // The slow phase is the first 6000 calls (about 250 ms); calibration takes up to 1500 of them before sampling.
  assert.ok(warms.result.steady!.every((state) => state.warmupNs >= 50e6 && state.steadyFrom > 1), `warm-up: ${JSON.stringify(warms.result.steady)}`);
  // The work is ten times smaller after the slow phase: the steady figure is the fast phase's.
  for (const [index, trace] of warms.result.traces!.entries()) {
    const from = warms.result.steady![index]!.steadyFrom;
    const middle = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
    // The first samples after calibration are slow: 4500 calls or more, at about 250 calls a 10 ms sample.
    assert.ok(middle(trace.slice(from)) < 0.3 * middle(trace.slice(1, 6)), `process ${index}: steady ${middle(trace.slice(from))} ns, first samples ${middle(trace.slice(1, 6))} ns`);
  }
  assert.ok(warms.stats!.median < 0.3 * Math.max(...warms.result.traces!.map((trace) => trace[1]!)), 'the block\'s median is a steady one');
  void fast;

  const drifts = await stored(scratch.dataDir, 'warm-up', 'drifts');
  // Most of its processes at least: on a busy machine one may look steady by chance.
  const unsettled = drifts.result.steady!.filter((state) => state.classification === 'no steady state').length;
  // An ever-slower trace never reads flat or warm-up; split into steps it may read slow-down (seen here as
  // slow-down, no steady state, slow-down, no steady state), and one process at least is flagged.
  assert.ok(unsettled >= 1 && drifts.result.steady!.every((state) => state.classification === 'no steady state' || state.classification === 'slow-down'), `drifts: ${drifts.result.steady!.map((state) => state.classification)}`);
  assert.ok(drifts.stats!.warnings.some((warning) => /no steady state/.test(warning)), drifts.stats!.warnings.join('\n'));
  const page = await scratch.read('warm-up.html');
  assert.match(page, /no steady state/);
  assert.match(page, /warm-up/);
});
