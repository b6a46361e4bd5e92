import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {parseCallgrindTotal} from '../../src/execute/instructions.js';
import {runProcess} from '../../src/system/run-process.js';
import {pythonHarness} from '../../src/runtimes/python.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {plannedRun, temporaryCacheDir} from './helpers.js';

const {found, missing} = await resolveRuntimes(['c', 'python', 'js']);
const valgrind = await runProcess('valgrind', ['--version'], {timeoutMs: 10_000});
const noValgrind = valgrind.exitCode === 0 ? undefined : 'valgrind is not installed';

test('parseCallgrindTotal', () => {
  assert.equal(parseCallgrindTotal('events: Ir\nsummary: 139491639\n\ntotals: 139491639\n'), 139491639);
  assert.equal(parseCallgrindTotal('version: 1\ntotals: 42\n'), 42);
  assert.equal(parseCallgrindTotal('no counts here\n'), undefined);
});

test('the harnesses run a fixed loop count when told (BENCHBOOK_LOOPS)', {skip: missing['python']}, async () => {
  // Counting under callgrind relies on it; checked natively here, since Python under callgrind is slow.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-loops-'));
  try {
    const block = path.join(dir, 'block.py');
    await writeFile(block, 'calls = 0\ndef bench():\n    global calls\n    calls += 1\n    return calls\n');
    const resultFile = path.join(dir, 'result.json');
    const env = {BENCHBOOK_RESULT: resultFile, BENCHBOOK_LOOPS: '7', BENCHBOOK_REPEAT: '2', BENCHBOOK_WARMUP: '0'};
    const result = await runProcess(found['python']!.executable, [pythonHarness, block, 'loops'], {env});
    assert.equal(result.exitCode, 0, result.stderr);
    const written = JSON.parse(await readFile(resultFile, 'utf8')) as {loops: number; samples: number[]; peakBytes: unknown};
    assert.equal(written.loops, 7);
    assert.deepEqual(written.samples, [0, 0], 'no time is printed: the output is the same every run');
    assert.equal(written.peakBytes, null, 'no tracemalloc call either');
  } finally {
    await rm(dir, {recursive: true, force: true});
  }
});

test('instruction counts', {skip: noValgrind ?? missing['c']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};
  const counted = {metric: 'instructions' as const, processes: 2};

  await t.test('the same C program counted twice gives the same count', async () => {
    const code = '#include <stdio.h>\nint main(void) { unsigned s = 0; for (unsigned i = 0; i < 100000; i++) s = s * 31 + i; printf("%u\\n", s); return 0; }\n';
    const run = plannedRun('c', 'bench', code, {measure: {...counted, mode: 'process'}});
    const first = await executeRun(run, found['c']!, options);
    const second = await executeRun(run, found['c']!, options);
    assert.equal(first.status, 'ok', `${first.reason}\n${first.stderr}`);
    assert.equal(first.unit, 'instructions');
    assert.equal(first.samples!.length, 2);
    // A loop of 100,000 multiply-adds is several hundred thousand instructions.
    assert.ok(first.samples![0]! > 200_000, `${first.samples![0]} instructions`);
    assert.deepEqual(second.samples, first.samples);
    assert.equal(first.samples![0], first.samples![1]);
  });

  await t.test('an inline C bench counts the instructions of one call, the same every time', async () => {
    const loop = (n: number) => `unsigned bench(void) { volatile unsigned s = 0; for (unsigned i = 0; i < ${n}; i++) s += i; return s; }\n`;
    const small = await executeRun(plannedRun('c', 'bench', loop(1000), {measure: counted}), found['c']!, options);
    const large = await executeRun(plannedRun('c', 'bench', loop(10_000), {measure: counted}), found['c']!, options);
    assert.equal(small.status, 'ok', `${small.reason}\n${small.stderr}`);
    assert.equal(large.status, 'ok', `${large.reason}\n${large.stderr}`);
    assert.equal(small.samples![0], small.samples![1], 'deterministic');
    // Ten times the loop, about ten times the instructions: start-up and setup cancelled out.
    const ratio = large.samples![0]! / small.samples![0]!;
    assert.ok(ratio > 9 && ratio < 11, `ratio ${ratio}`);
  });

  await t.test('JS blocks are skipped with the reason', {skip: missing['js']}, async () => {
    const result = await executeRun(plannedRun('js', 'bench', 'export function bench() { return 1; }\n', {measure: counted}), found['js']!, options);
    assert.equal(result.status, 'skipped');
    assert.match(result.reason ?? '', /not supported for js blocks/);
  });
});
