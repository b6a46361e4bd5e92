import assert from 'node:assert/strict';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {assertCalibrated, plannedRun, quickMeasure, temporaryCacheDir} from '../execute/helpers.js';

const {found, missing} = await resolveRuntimes(['rust']);
const rust = found['rust'];

test('resolveRuntimes finds Rust as the toolchain cargo, with rustc and cargo versions', {skip: missing['rust']}, () => {
  assert.match(rust!.executable, /\/bin\/cargo$/);
  assert.match(rust!.version, /^rustc \d+\.\d+\.\d+.* \+ cargo \d+\.\d+\.\d+/);
  assert.deepEqual(rust!.flags, ['--release']);
});

test('executeRust', {skip: missing['rust']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};

  await t.test('times a bench block: repeat × processes samples, calibrated loops', async () => {
    const code = [
      'use std::hint::black_box;',
      '',
      'fn bench() -> u64 {',
      '    (0..black_box(200u64)).map(|i| i * i).sum()',
      '}',
      ''
    ].join('\n');
    const result = await executeRun(plannedRun('rust', 'bench', code), rust!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assertCalibrated(result);
    assert.ok((result.timerResolutionNs ?? 0) > 0);
    assert.ok((result.buildMs ?? 0) > 0);
  });

  await t.test('fn= picks another function; the executor table dispatches rust', async () => {
    const code = 'fn fibonacci() -> u128 {\n    let (mut a, mut b) = (0u128, 1u128);\n    for _ in 0..150 { (a, b) = (b, a + b); }\n    a\n}\n';
    const result = await executeRun(plannedRun('rust', 'bench', code, {measure: {fn: 'fibonacci', processes: 1}}), rust!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assert.ok((result.samples?.length ?? 0) >= quickMeasure.repeat, `steady samples: ${result.samples?.length}`);
  });

  await t.test('runs a run block, and reuses its cached build', async () => {
    const code = 'fn main() {\n    let v: Vec<u64> = (1..=100).collect();\n    println!("{}", v.iter().sum::<u64>());\n}\n';
    const first = await executeRun(plannedRun('rust', 'run', code), rust!, options);
    assert.equal(first.status, 'ok', first.stderr);
    assert.equal(first.stdout, '5050\n');
    assert.ok((first.buildMs ?? 0) > 0);
    const second = await executeRun(plannedRun('rust', 'run', code), rust!, options);
    assert.equal(second.stdout, '5050\n');
    assert.equal(second.buildMs, 0);
  });

  await t.test('a compile error is a failure with the compiler message at the block line', async () => {
    const result = await executeRun(plannedRun('rust', 'run', 'fn main() {\n    println!("{}", nope);\n}\n'), rust!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /cannot find value `nope`/);
    assert.match(result.stderr, /block\.rs:2:20/);
  });

  await t.test('a bench function returning () is a compile error that says why', async () => {
    const result = await executeRun(plannedRun('rust', 'bench', 'fn bench() {}\n'), rust!, options);
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /must return a value/);
  });

  await t.test('a panic is a failure with its message and exit code 101', async () => {
    const result = await executeRun(plannedRun('rust', 'run', 'fn main() {\n    panic!("boom");\n}\n'), rust!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 101);
    assert.match(result.stderr, /boom/);
  });

  await t.test('an endless loop is killed at the time limit', async () => {
    const started = performance.now();
    const code = 'fn main() {\n    let mut i = 0u64;\n    loop { i = std::hint::black_box(i + 1); }\n}\n';
    // The limit covers the build too; a build that is slower than the limit also ends timed out.
    const result = await executeRun(plannedRun('rust', 'run', code, {timeoutMs: 2000}), rust!, options);
    assert.equal(result.status, 'timed-out');
    assert.ok(performance.now() - started < 6000);
  });
});
