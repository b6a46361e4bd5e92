import assert from 'node:assert/strict';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {RunScheduler} from '../../src/execute/groups.js';
import {executeGroup, executeRun} from '../../src/execute/index.js';
import {buildRunner, parseRunnerLine, RunnerSession} from '../../src/execute/runner/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {interleavedOrder} from '../../src/execute/process-mode.js';
import type {MeasureSettings} from '../../src/model/index.js';
import {parseNotebook} from '../../src/parse/index.js';
import {planNotebook} from '../../src/plan/index.js';
import {plannedRun, temporaryCacheDir} from './helpers.js';

const {found, missing} = await resolveRuntimes(['python', 'c', 'js']);

/** Few, short runs: the tests check what is measured, not how well. */
const processMeasure: Partial<MeasureSettings> = {mode: 'process', runs: 4, minTimeMs: 1, warmup: 1};

/** A C program whose runs append `letter` to `log`, so the order of runs can be read back. */
function loggingProgram(log: string, letter: string): string {
  return `#include <stdio.h>\nint main(void) { FILE *f = fopen(${JSON.stringify(log)}, "a"); fputc('${letter}', f); fclose(f); return 0; }\n`;
}

test('planning process mode', async (t) => {
  const runtimes = {python: {name: 'python', executable: '/usr/bin/python3', version: '3.11.7'}};
  const source = (second: string, front = '') =>
    `---\ntitle: t\n${front}---\n\n\`\`\`python bench id=a mode=process group=g runs=4 min-time=200ms\nprint(1)\n\`\`\`\n\n\`\`\`python bench id=b mode=process group=g\n${second}\n\`\`\`\n\n\`\`\`python bench id=c\ndef bench():\n    return 1\n\`\`\`\n`;
  const plan = (second: string, options: {metric?: 'time' | 'instructions'; front?: string} = {}) => {
    const {notebook, messages} = parseNotebook(source(second, options.front), 'process.md');
    assert.deepEqual(messages, []);
    return planNotebook(notebook!, {runtimes, ...(options.metric ? {metric: options.metric} : {})});
  };

  await t.test('reads mode, runs, min-time and group, with the defaults', () => {
    const [a, b, c] = plan('print(2)').runs;
    assert.deepEqual([a!.measure.mode, a!.measure.runs, a!.measure.minTimeMs, a!.measure.group], ['process', 4, 200, 'g']);
    assert.deepEqual([b!.measure.runs, b!.measure.minTimeMs], [10, 1000]);
    assert.equal(c!.measure.mode, 'inline');
    assert.equal(c!.measure.runs, undefined, 'process settings do not touch the hash of inline blocks');
    assert.equal(c!.measure.processes, 3);
  });

  await t.test('a change to one block of a group re-runs the whole group', () => {
    const before = plan('print(2)').runs;
    const after = plan('print(3)').runs;
    assert.notEqual(after[0]!.hash, before[0]!.hash, 'the unchanged member of the group');
    assert.notEqual(after[1]!.hash, before[1]!.hash);
    assert.equal(after[2]!.hash, before[2]!.hash, 'a block outside the group');
  });

  await t.test('instruction counts are runs of their own beside the time runs, which keep their hashes', () => {
    const time = plan('print(2)').runs;
    const counted = plan('print(2)', {metric: 'instructions'}).runs;
    const benches = time.filter((run) => run.kind === 'bench');
    assert.equal(counted.length, time.length + benches.length);
    for (const run of benches) {
      const same = counted.find((other) => other.key === run.key)!;
      const count = counted.find((other) => other.key === `${run.key}#instructions`)!;
      assert.equal(same.hash, run.hash, 'the time run is unchanged');
      assert.equal(count.measure.metric, 'instructions');
      assert.notEqual(count.hash, run.hash);
    }
  });

  await t.test('the front matter may set mode, runs and min-time for every block', () => {
    const [, , c] = plan('print(2)', {front: 'measure:\n  mode: process\n  runs: 3\n  min-time: 2s\n'}).runs;
    assert.deepEqual([c!.measure.mode, c!.measure.runs, c!.measure.minTimeMs], ['process', 3, 2000]);
  });

  await t.test('a mode other than inline or process is a located error', () => {
    const {messages} = parseNotebook('---\ntitle: t\n---\n\n```python bench mode=fork\npass\n```\n', 'bad.md');
    assert.equal(messages.length, 1);
    assert.match(messages[0]!.message, /invalid mode: `fork`: expected one of inline, process/);
    assert.equal(messages[0]!.line, 5);
  });
});

test('interleavedOrder', async (t) => {
  await t.test('each round runs every variant once, in a seeded order', () => {
    const rounds = interleavedOrder(3, 50, 7);
    for (const round of rounds) assert.deepEqual([...round].sort(), [0, 1, 2]);
    assert.deepEqual(interleavedOrder(3, 50, 7), rounds, 'same seed, same order');
    assert.notDeepEqual(interleavedOrder(3, 50, 8), rounds, 'another seed, another order');
    // Not AAA...BBB, nor a fixed rotation: several orders occur.
    assert.ok(new Set(rounds.map((round) => round.join())).size >= 3);
  });
});

test('runner', {skip: missing['c']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-runner-test-'));
  t.after(async () => {
    await cleanup();
    await rm(workDir, {recursive: true, force: true});
  });

  await t.test('reports a line that is not its JSON as unusable', () => {
    assert.equal(parseRunnerLine('Segmentation fault'), undefined);
    assert.equal(parseRunnerLine('{"wallNs": "soon"}'), undefined);
    assert.equal(parseRunnerLine('{"wallNs": 5, "userNs": 1, "sysNs": 1, "maxRssKiB": 9, "exitCode": 0, "signal": null}')?.wallNs, 5);
  });

  await t.test('serves runs of several programs, with exit codes, signals and spawn errors', async () => {
    const runner = await buildRunner(cacheDir);
    assert.equal(typeof runner, 'string', JSON.stringify(runner));
    const session = await RunnerSession.start(
      runner as string,
      [
        {command: {file: '/bin/sh', args: ['-c', 'echo "$GREETING"; exit 3'], env: {GREETING: 'hello'}}, cwd: workDir},
        {command: {file: '/bin/sh', args: ['-c', 'kill -SEGV $$']}, cwd: workDir},
        {command: {file: path.join(workDir, 'no-such-program'), args: []}, cwd: workDir},
        {command: {file: '/bin/sleep', args: ['5']}, cwd: workDir}
      ],
      {workDir}
    );
    try {
      const stdout = path.join(workDir, 'out.txt');
      const exited = await session.run(0, {timeoutMs: 10_000, stdout});
      assert.ok(!('failure' in exited));
      assert.equal(exited.exitCode, 3);
      assert.equal(await readFile(stdout, 'utf8'), 'hello\n', 'the variant environment and the output file');
      const crashed = await session.run(1, {timeoutMs: 10_000});
      assert.ok(!('failure' in crashed) && crashed.signal === 'SIGSEGV', JSON.stringify(crashed));
      const absent = await session.run(2, {timeoutMs: 10_000});
      assert.ok(!('failure' in absent) && /No such file/.test(absent.spawnError ?? ''), JSON.stringify(absent));
      const started = performance.now();
      const slow = await session.run(3, {timeoutMs: 200});
      assert.ok(!('failure' in slow) && slow.timedOut && slow.signal === 'SIGKILL', JSON.stringify(slow));
      assert.ok(performance.now() - started < 3000, 'killed at its time limit');
    } finally {
      await session.close();
    }
  });
});

test('process mode', {skip: missing['python'] ?? missing['c']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-interleave-'));
  t.after(async () => {
    await cleanup();
    await rm(logDir, {recursive: true, force: true});
  });
  const options = {cacheDir};

  await t.test('times whole runs: wall, user and system time and peak RSS of each, and the start-up', async () => {
    const code = 'print("hello")\ntotal = sum(range(200_000))\n';
    const result = await executeRun(plannedRun('python', 'bench', code, {measure: processMeasure}), found['python']!, options);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.unit, 'ns');
    assert.equal(result.stdout, 'hello\n', 'the output of the first run');
    const runs = result.process!;
    assert.ok(runs.wallNs.length >= 4, `${runs.wallNs.length} runs`);
    assert.deepEqual(result.samples, runs.wallNs);
    for (const list of [runs.userNs, runs.sysNs, runs.maxRssKiB]) assert.equal(list.length, runs.wallNs.length);
    const cores = os.cpus().length;
    runs.wallNs.forEach((wall, index) => {
      const cpu = runs.userNs[index]! + runs.sysNs[index]!;
      assert.ok(wall > 0 && cpu > 0, `run ${index}: wall ${wall}, cpu ${cpu}`);
      // CPU time fits in the wall time on every core (clock ticks round it: allow 10 ms).
      assert.ok(cpu <= wall * cores + 10e6, `run ${index}: cpu ${cpu} ns in ${wall} ns wall`);
      assert.ok(runs.maxRssKiB[index]! > 1024, 'an interpreter takes more than 1 MiB');
    });
    assert.ok(runs.startupNs !== undefined && runs.startupNs > 0, 'the empty program was timed');
    assert.ok(result.memory?.maxRssKiB === Math.max(...runs.maxRssKiB));
  });

  await t.test('keeps running until both the minimum runs and the minimum time are reached', async () => {
    const run = plannedRun('c', 'bench', 'int main(void) { return 0; }\n', {measure: {...processMeasure, runs: 3, minTimeMs: 60}});
    const result = await executeRun(run, found['c']!, options);
    assert.equal(result.status, 'ok', result.reason);
    const total = result.samples!.reduce((sum, wall) => sum + wall, 0);
    assert.ok(result.samples!.length >= 3);
    assert.ok(total >= 60e6, `timed runs add up to ${total / 1e6} ms`);
  });

  await t.test('the peak RSS of a program that touches 100 MB is over 100 MB', async () => {
    const code = [
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) {',
      '  size_t size = (size_t)100 << 20;',
      '  char *block = malloc(size);',
      '  memset(block, 1, size);',
      // Tell the optimiser the memory is used, or malloc and memset go away.
      '  __asm__ volatile("" : : "r"(block) : "memory");',
      '  return 0;',
      '}'
    ].join('\n');
    const result = await executeRun(plannedRun('c', 'bench', code, {measure: {...processMeasure, runs: 2}}), found['c']!, options);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    for (const kib of result.process!.maxRssKiB) assert.ok(kib > 100 * 1024, `${kib} KiB`);
  });

  await t.test('a memory limit (memory=) holds for every run, and its failure says so', async () => {
    const code = [
      '#include <stdio.h>',
      '#include <stdlib.h>',
      '#include <string.h>',
      'int main(void) {',
      '  size_t size = (size_t)100 << 20;',
      '  char *block = malloc(size);',
      '  if (block == NULL) { perror("malloc"); return 1; }',
      '  memset(block, 1, size);',
      '  __asm__ volatile("" : : "r"(block) : "memory");',
      '  return 0;',
      '}'
    ].join('\n');
    const run = {...plannedRun('c', 'bench', code, {measure: processMeasure}), memoryBytes: 32 * 1024 * 1024};
    const result = await executeRun(run, found['c']!, options);
    assert.equal(result.status, 'failed');
    assert.match(result.reason ?? '', /^hit the memory limit of 32 MiB/);
    assert.match(result.stderr, /Cannot allocate memory/);
  });

  await t.test('a failing program is a failed result with its exit code and first output', async () => {
    const code = '#include <stdio.h>\nint main(void) { puts("about to fail"); return 3; }\n';
    const result = await executeRun(plannedRun('c', 'bench', code, {measure: processMeasure}), found['c']!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'exited with code 3');
    assert.equal(result.exitCode, 3);
    assert.equal(result.stdout, 'about to fail\n');
  });

  await t.test('a compile error fails the block before any run', async () => {
    const result = await executeRun(plannedRun('c', 'bench', 'int main(void) { return }\n', {measure: processMeasure}), found['c']!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /error/);
  });

  await t.test('a program that runs past the time limit is timed out', async () => {
    const run = plannedRun('python', 'bench', 'import time\ntime.sleep(30)\n', {timeoutMs: 1500, measure: processMeasure});
    const started = performance.now();
    const result = await executeRun(run, found['python']!, options);
    assert.equal(result.status, 'timed-out', result.reason);
    assert.ok(performance.now() - started < 10_000);
  });

  await t.test('an abort stops the runs and kills the program', async () => {
    const controller = new AbortController();
    const run = plannedRun('c', 'bench', '#include <unistd.h>\nint main(void) { sleep(30); return 0; }\n', {measure: processMeasure});
    setTimeout(() => controller.abort(), 500);
    const started = performance.now();
    const result = await executeRun(run, found['c']!, {...options, signal: controller.signal});
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'aborted');
    assert.ok(performance.now() - started < 5000);
  });

  await t.test('a JS block runs as a module of its own under node', {skip: missing['js']}, async () => {
    const result = await executeRun(plannedRun('js', 'bench', 'console.log(6 * 7);\n', {measure: processMeasure}), found['js']!, options);
    assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
    assert.equal(result.stdout, '42\n');
    assert.ok(result.process!.startupNs! > 0);
  });

  await t.test('blocks of a group run interleaved, in an order set by the seed', async () => {
    const readOrder = async (seed: number) => {
      const log = path.join(logDir, `runs-${seed}.log`);
      await rm(log, {force: true});
      const measure = {...processMeasure, warmup: 0, runs: 12, group: 'ab'};
      const members = ['A', 'B'].map((letter) => ({
        run: plannedRun('c', 'bench', loggingProgram(log, letter), {blockId: `log-${letter}`, measure}),
        runtime: found['c']!
      }));
      const results = await executeGroup(members, {...options, seed});
      for (const result of results) assert.equal(result.status, 'ok', result.reason);
      assert.equal(results[0]!.samples!.length, results[1]!.samples!.length, 'a group gives every block as many runs');
      return readFile(log, 'utf8');
    };
    const order = await readOrder(1);
    assert.equal(order.length, 24);
    // One run of each block per round: every aligned pair holds both letters.
    for (let i = 0; i < order.length; i += 2) assert.deepEqual([...order.slice(i, i + 2)].sort(), ['A', 'B'], order);
    assert.notEqual(order, 'AB'.repeat(12));
    assert.notEqual(order, 'BA'.repeat(12));
    assert.equal(await readOrder(1), order, 'the same seed gives the same order');
    assert.notEqual(await readOrder(2), order, 'another seed, another order');
  });

  await t.test('the report scheduler measures a group once, process-mode or inline (processes interleaved)', async () => {
    const measure = {...processMeasure, group: 'pair'};
    const first = plannedRun('python', 'bench', 'x = 1\n', {blockId: 'first', measure});
    const second = plannedRun('python', 'bench', 'x = 2\n', {blockId: 'second', measure});
    const inlineA = plannedRun('python', 'bench', 'def bench():\n    return 1\n', {blockId: 'inline-a', measure: {group: 'pair2'}});
    const inlineB = plannedRun('python', 'bench', 'def bench():\n    return 2\n', {blockId: 'inline-b', measure: {group: 'pair2'}});
    const scheduler = new RunScheduler([first, second, inlineA, inlineB], {cacheDir, runtimes: found});
    assert.equal(scheduler.measured(second), false);
    const one = await scheduler.execute(first, found['python']!);
    assert.equal(scheduler.measured(second), true, 'the whole group was measured');
    const two = await scheduler.execute(second, found['python']!);
    assert.equal(one.status, 'ok', one.reason);
    assert.equal(two.status, 'ok', two.reason);
    assert.equal(one.samples!.length, two.samples!.length);
    const a = await scheduler.execute(inlineA, found['python']!);
    assert.equal(scheduler.measured(inlineB), true, 'the inline group was measured at once');
    const b = await scheduler.execute(inlineB, found['python']!);
    assert.equal(a.status, 'ok', a.reason);
    assert.equal(b.status, 'ok', b.reason);
    assert.equal(a.groups?.length, b.groups?.length, 'as many processes each');
  });
});

test('inline harness results', {skip: missing['python']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);

  await t.test('a harness that writes garbage instead of its JSON is a clear failure', async () => {
    const code =
      'import atexit, os\ndef clobber():\n    open(os.environ["BENCHBOOK_RESULT"], "w").write("Traceback? no, garbage")\natexit.register(clobber)\ndef bench():\n    return 1\n';
    const result = await executeRun(plannedRun('python', 'bench', code, {measure: {processes: 1}}), found['python']!, {cacheDir});
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'harness produced no result: the result file is not JSON ("Traceback? no, garbage")');
  });

  await t.test('calibration picks the smallest 1-2-5 loop count whose sample reaches min-sample', async () => {
    const run = plannedRun('python', 'bench', 'def bench():\n    return sum(range(50))\n', {measure: {processes: 2, repeat: 5, minSampleMs: 20}});
    const result = await executeRun(run, found['python']!, {cacheDir});
    assert.equal(result.status, 'ok', result.stderr);
    const target = 20e6;
    for (const [index, loops] of result.loops!.entries()) {
      assert.match(String(loops), /^[125]0*$/, 'a count of the 1, 2, 5 series');
      const samples = result.samples!.slice(index * 5, index * 5 + 5);
      // Samples only get longer on a busy machine: the longest one lasts the target at least.
      assert.ok(loops * Math.max(...samples) >= 0.8 * target, `${loops} calls of ${Math.max(...samples)} ns`);
      // The step below would have been too short (1, 2, 5: at most 2.5 times fewer calls).
      assert.ok((loops / 2.5) * Math.min(...samples) < target * 1.5, `${loops} calls of ${Math.min(...samples)} ns`);
    }
  });

  await t.test('Python reports the peak bytes one call allocates (tracemalloc) and the process RSS', async () => {
    const code = 'def bench():\n    return len(list(range(100_000)))\n';
    const small = 'def bench():\n    return 1 + 1\n';
    const big = await executeRun(plannedRun('python', 'bench', code, {measure: {processes: 1}}), found['python']!, {cacheDir});
    const tiny = await executeRun(plannedRun('python', 'bench', small, {measure: {processes: 1}}), found['python']!, {cacheDir});
    assert.equal(big.status, 'ok', big.stderr);
    assert.equal(tiny.status, 'ok', tiny.stderr);
    // A list of 100,000 pointers is at least 800,000 bytes; 1 + 1 allocates (almost) nothing.
    assert.ok(big.memory!.peakBytes! >= 800_000, `${big.memory?.peakBytes} bytes`);
    assert.ok(tiny.memory!.peakBytes! < 1000, `${tiny.memory?.peakBytes} bytes`);
    assert.ok(big.memory!.maxRssKiB! > 1024);
    assert.ok(big.timerResolutionNs! > 0, 'the clock was read before timing');
  });
});
