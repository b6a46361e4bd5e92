import assert from 'node:assert/strict';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {withPackageClause} from '../../src/runtimes/go.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {assertCalibrated, plannedRun, temporaryCacheDir} from '../execute/helpers.js';

const {found, missing} = await resolveRuntimes(['go']);
const go = found['go'];

test('withPackageClause', () => {
  assert.equal(withPackageClause('package main\nfunc main() {}\n'), 'package main\nfunc main() {}\n');
  assert.equal(withPackageClause('// about\npackage main\n'), '// about\npackage main\n');
  assert.equal(withPackageClause('import "fmt"\n'), 'package main; import "fmt"\n');
  assert.equal(withPackageClause('// package notes\nfunc f() {}\n'), 'package main; // package notes\nfunc f() {}\n');
});

test('executeGo', {skip: missing['go']}, async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};

  await t.test('times a bench block: repeat × processes samples, calibrated loops', async () => {
    const code = [
      'import "fmt"',
      '',
      'var data = make([]int, 16)',
      '',
      'func init() { fmt.Println("setup") }',
      '',
      'func bench() int {',
      '\ttotal := 0',
      '\tfor _, v := range data {',
      '\t\ttotal += v',
      '\t}',
      '\treturn total',
      '}',
      ''
    ].join('\n');
    const result = await executeRun(plannedRun('go', 'bench', code), go!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assertCalibrated(result);
    assert.equal(result.stdout, 'setup\n');
    assert.ok((result.buildMs ?? 0) > 0);
  });

  await t.test('runs a run block, and reuses its cached build', async () => {
    const code = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello from go") }\n';
    const first = await executeRun(plannedRun('go', 'run', code), go!, options);
    assert.equal(first.status, 'ok', first.stderr);
    assert.equal(first.stdout, 'hello from go\n');
    assert.ok((first.buildMs ?? 0) > 0);
    const second = await executeRun(plannedRun('go', 'run', code), go!, options);
    assert.equal(second.stdout, 'hello from go\n');
    assert.equal(second.buildMs, 0);
  });

  await t.test('a compile error is a failure with the compiler message', async () => {
    const code = 'func main() {\n\tundefinedThing()\n}\n';
    const result = await executeRun(plannedRun('go', 'run', code), go!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'compile error');
    assert.match(result.stderr, /block\.go:2:2: undefined: undefinedThing/);
    assert.ok((result.buildMs ?? 0) > 0);
  });

  await t.test('a bench function of the wrong shape is a compile error', async () => {
    const result = await executeRun(plannedRun('go', 'bench', 'func bench() {}\n'), go!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.reason, 'compile error');
    const invalid = await executeRun(plannedRun('go', 'bench', 'func bench() int { return 1 }\n', {measure: {fn: 'not-a-name'}}), go!, options);
    assert.equal(invalid.reason, 'compile error');
    assert.match(invalid.stderr, /not a Go identifier/);
  });

  await t.test('a non-zero exit is a failure with the exit code', async () => {
    const code = 'import "os"\n\nfunc main() { os.Exit(3) }\n';
    const result = await executeRun(plannedRun('go', 'run', code), go!, options);
    assert.equal(result.status, 'failed');
    assert.equal(result.exitCode, 3);
    assert.equal(result.reason, 'exited with code 3');
  });

  await t.test('an endless loop is killed at the time limit (which includes the build)', async () => {
    const code = 'func main() {\n\tfor {\n\t}\n}\n';
    const started = performance.now();
    const result = await executeRun(plannedRun('go', 'run', code, {timeoutMs: 1500}), go!, options);
    assert.equal(result.status, 'timed-out');
    assert.equal(result.reason, 'timed out after 1.5 s');
    assert.ok(performance.now() - started < 5000);
  });

  await t.test('large output is capped with a marker', async () => {
    const code = 'import (\n\t"os"\n\t"strings"\n)\n\nfunc main() { os.Stdout.WriteString(strings.Repeat("x", 3000000)) }\n';
    const result = await executeRun(plannedRun('go', 'run', code), go!, options);
    assert.equal(result.status, 'ok', result.stderr);
    assert.match(result.stdout, /\n\[benchbook: output truncated, 1951424 bytes dropped\]\n$/);
  });
});
