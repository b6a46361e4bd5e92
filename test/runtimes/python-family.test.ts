import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import {executeRun} from '../../src/execute/index.js';
import {languageOfRuntime, runtimeNames, runtimeProblem, runtimesOf} from '../../src/runtimes/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import type {RunResult, RuntimeInfo} from '../../src/model/index.js';
import {formatMessage, parseNotebook} from '../../src/parse/index.js';
import {median, plannedRun, quickMeasure, temporaryCacheDir} from '../execute/helpers.js';

const pythonRuntimes = ['python', 'python3.12', 'python3.13', 'pypy', 'numba', 'nuitka', 'python-ft'];
const {found, missing} = await resolveRuntimes(pythonRuntimes);

/** What each runtime's version must look like: exact, with the interpreter underneath where there is one. */
const versionPatterns: Record<string, RegExp> = {
  python: /^CPython 3\.\d+\.\d+$/,
  'python3.12': /^CPython 3\.12\.\d+$/,
  'python3.13': /^CPython 3\.13\.\d+$/,
  pypy: /^PyPy \d+\.\d+\.\d+ \(Python 3\.\d+\.\d+\)$/,
  numba: /^Numba \d+\.\d+\.\d+ on CPython 3\.\d+\.\d+$/,
  nuitka: /^Nuitka \d+\.\d+(\.\d+)? on CPython 3\.\d+\.\d+$/,
  'python-ft': /^CPython 3\.\d+\.\d+\S* free-threaded \(GIL disabled\)$/
};

const benchCode = 'data = list(range(100))\n\ndef bench():\n    return sum(data)\n';
const runCode = 'import platform, sys\nprint(platform.python_implementation(), platform.python_version())\nprint(sys.executable)\n';

/** The runtime, or a visible skip that says why it is not here. */
function need(t: test.TestContext, name: string): RuntimeInfo | undefined {
  const info = found[name];
  if (!info) t.skip(`${name} not found: ${missing[name]}`);
  return info;
}

function assertBench(result: RunResult): void {
  assert.equal(result.status, 'ok', `${result.reason}\n${result.stderr}`);
  assert.equal(result.groups?.length, quickMeasure.processes);
  assert.ok(result.groups!.every((size) => size >= quickMeasure.repeat));
  assert.ok(result.samples!.every((sample) => sample > 0));
  // The first call of every process is timed on its own, apart from the samples.
  assert.equal(result.warmupNs?.length, quickMeasure.processes);
  assert.ok(result.warmupNs.every((ns) => ns > 0));
}

test('Python runtimes', async (t) => {
  const {cacheDir, cleanup} = await temporaryCacheDir();
  t.after(cleanup);
  const options = {cacheDir};

  for (const name of ['python', 'python3.12', 'python3.13', 'pypy', 'python-ft']) {
    await t.test(`${name}: a bench and a run block on the interpreter itself`, async (t) => {
      const info = need(t, name);
      if (!info) return;
      assert.equal(info.name, name);
      assert.match(info.version, versionPatterns[name]!);
      assert.ok(path.isAbsolute(info.executable));
      assert.ok(!info.executable.includes(`${path.sep}shims${path.sep}`), info.executable);

      assertBench(await executeRun(plannedRun(name, 'bench', benchCode), info, options));

      const run = await executeRun(plannedRun(name, 'run', runCode), info, options);
      assert.equal(run.status, 'ok', run.stderr);
      const [said, executable] = run.stdout.trim().split('\n');
      // The block ran on the interpreter the version describes, not on whatever python3 is.
      const language = /(\d+\.\d+\.\d+)(?:\S*)(?: free-threaded.*)?\)?$/.exec(info.version)![1];
      assert.equal(said, `${name === 'pypy' ? 'PyPy' : 'CPython'} ${language}`);
      assert.equal(executable, info.executable);
    });
  }

  await t.test('numba: an @njit function is compiled at the first call, which is reported apart', async (t) => {
    const info = need(t, 'numba');
    if (!info) return;
    assert.match(info.version, versionPatterns['numba']!);
    const code = [
      'from numba import njit',
      '',
      '@njit',
      'def total(n):',
      '    s = 0',
      '    for i in range(n):',
      '        s += i * i',
      '    return s',
      '',
      'def bench():',
      '    return total(1000)',
      ''
    ].join('\n');
    const result = await executeRun(plannedRun('numba', 'bench', code), info, options);
    assertBench(result);
    // The first call compiles the function (tens of ms); a compiled call is far below a millisecond.
    for (const first of result.warmupNs!) assert.ok(first > 10 * median(result.samples!), `first call ${first} ns, median ${median(result.samples!)} ns`);

    const run = await executeRun(plannedRun('numba', 'run', 'import numba\nprint(numba.__version__)\n'), info, options);
    assert.equal(run.status, 'ok', run.stderr);
    assert.equal(`Numba ${run.stdout.trim()}`, info.version.split(' on ')[0]);
  });

  await t.test('nuitka: bench blocks compile to a module the harness times, run blocks to a program', {timeout: 150_000}, async (t) => {
    const info = need(t, 'nuitka');
    if (!info) return;
    assert.match(info.version, versionPatterns['nuitka']!);
    // `__compiled__` exists only in code Nuitka compiled: proof that the interpreter did not run the source.
    const code = `print("compiled", "__compiled__" in globals())\n${benchCode}`;
    const bench = plannedRun('nuitka', 'bench', code, {blockId: 'sum-nuitka', timeoutMs: 120_000, measure: {processes: 1}});
    const first = await executeRun(bench, info, options);
    assert.equal(first.status, 'ok', `${first.reason}\n${first.stderr}`);
    assert.equal(first.stdout, 'compiled True\n');
    assert.ok((first.samples?.length ?? 0) >= quickMeasure.repeat);
    assert.equal(first.warmupNs?.length, 1);
    assert.ok((first.buildMs ?? 0) > 0, 'the first build is timed');

    const again = await executeRun(bench, info, options);
    assert.equal(again.status, 'ok', again.stderr);
    assert.equal(again.buildMs, 0, 'the second build comes from the cache');

    const runCodeCompiled = 'import sys\nif __name__ == "__main__":\n    print("main", "__compiled__" in globals())\n    sys.exit(3)\n';
    const run = await executeRun(plannedRun('nuitka', 'run', runCodeCompiled, {timeoutMs: 120_000}), info, options);
    assert.equal(run.stdout, 'main True\n', run.stderr);
    assert.equal(run.status, 'failed');
    assert.equal(run.exitCode, 3, 'the program’s own exit code comes through');
    assert.ok((run.buildMs ?? 0) > 0);

    const broken = await executeRun(plannedRun('nuitka', 'bench', 'def bench(:\n    return 1\n', {timeoutMs: 120_000}), info, options);
    assert.equal(broken.status, 'failed');
    assert.equal(broken.reason, 'compile error');
    assert.match(broken.stderr, /SyntaxError/);
  });
});

test('resolving Python runtimes', async (t) => {
  await t.test('pypy is missing, with the reason and the fix, when no pypy3 is on PATH', async () => {
    const saved = process.env['PATH'];
    // Keep every folder of PATH but those that hold a pypy3 or pypy.
    const hasPyPy = (dir: string) => ['pypy3', 'pypy'].some((name) => existsSync(path.join(dir, name)));
    process.env['PATH'] = (saved ?? '').split(path.delimiter).filter((dir) => dir !== '' && !hasPyPy(dir)).join(path.delimiter);
    try {
      const stripped = await resolveRuntimes(['pypy']);
      assert.deepEqual(stripped.found, {});
      assert.equal(
        stripped.missing['pypy'],
        'pypy3 not found on PATH — run npm run setup as root (it runs apt-get install -y pypy3) or install PyPy 3 on PATH'
      );
    } finally {
      process.env['PATH'] = saved;
    }
  });

  await t.test('python-ft finds one by itself or says why, and refuses one with a GIL', async (t) => {
    const saved = process.env['BENCHBOOK_PYTHON_FT'];
    try {
      delete process.env['BENCHBOOK_PYTHON_FT'];
      // Unset, it looks for pyenv's 3.13.*t and the build npm run setup makes (test/runtimes/python-discovery.test.ts).
      const unset = await resolveRuntimes(['python-ft']);
      if (unset.found['python-ft']) assert.match(unset.found['python-ft'].version, versionPatterns['python-ft']!);
      else assert.match(unset.missing['python-ft'] ?? '', /^python-ft not found: .*(— run npm run setup \(it builds one from Debian's python3\.13 source\)|npm run setup could not provide one: )/);

      process.env['BENCHBOOK_PYTHON_FT'] = '/nonexistent/python3.13t';
      assert.match((await resolveRuntimes(['python-ft'])).missing['python-ft'] ?? '', /^\/nonexistent\/python3\.13t not found — fix BENCHBOOK_PYTHON_FT/);

      const withGil = found['python3.13'] ?? found['python'];
      if (!withGil) return t.skip('no CPython here to show a GIL build being refused');
      process.env['BENCHBOOK_PYTHON_FT'] = withGil.executable;
      const refused = (await resolveRuntimes(['python-ft'])).missing['python-ft'] ?? '';
      // 3.13 has sys._is_gil_enabled() and says True; 3.11 has no such function: both are refused.
      assert.match(refused, /(with the GIL enabled: not a free-threaded build|has no sys\._is_gil_enabled\(\))/);
      assert.ok(refused.startsWith(`${withGil.executable} is CPython `), refused);
    } finally {
      if (saved === undefined) delete process.env['BENCHBOOK_PYTHON_FT'];
      else process.env['BENCHBOOK_PYTHON_FT'] = saved;
    }
  });

  await t.test('numba and nuitka name the venv and npm run setup when missing', async () => {
    for (const name of ['numba', 'nuitka']) {
      if (found[name]) assert.equal(found[name].executable, found['numba']?.executable ?? found[name].executable);
      else assert.match(missing[name] ?? '', /run npm run setup/);
    }
  });
});

test('runtime registry', async (t) => {
  await t.test('every Python runtime belongs to the python language, python first', () => {
    assert.deepEqual(runtimesOf('python'), pythonRuntimes);
    for (const name of pythonRuntimes) assert.equal(languageOfRuntime(name), 'python');
    assert.deepEqual(runtimesOf('go'), ['go']);
    assert.equal(languageOfRuntime('cobol'), undefined);
    assert.ok(runtimeNames().includes('pypy') && runtimeNames().includes('go'));
  });

  await t.test('runtimeProblem lists the valid names', () => {
    assert.equal(runtimeProblem('python', 'pypy'), undefined);
    assert.equal(runtimeProblem('python', 'pypi'), `unknown runtime \`pypi\` for a python block: expected one of ${pythonRuntimes.join(', ')}`);
    assert.equal(runtimeProblem('go', 'pypy'), 'runtime `pypy` runs python blocks, not go blocks: expected one of go');
  });
});

test('runtime= in a notebook', async (t) => {
  const notebook = [
    '---',
    'title: Runtimes',
    '---',
    '',
    '```python bench id=a runtime=pypy',
    'def bench(): return 1',
    '```',
    '',
    '```py run id=b',
    'print(1)',
    '```',
    '',
    '```python bench id=c repeat=3 runtime=pypi',
    'def bench(): return 1',
    '```',
    '',
    '```go run id=d runtime=python3.12',
    'package main',
    '```',
    '',
    '```python run id=e runtime=',
    'print(1)',
    '```',
    '',
    '```python id=f runtime=pypy',
    'print(1)',
    '```',
    ''
  ].join('\n');
  const {notebook: parsed, messages} = parseNotebook(notebook, 'runtimes.md');

  await t.test('picks the runtime, or the language default', () => {
    const runtimes = Object.fromEntries(parsed!.blocks.map((block) => [block.id, block.runtime]));
    assert.equal(runtimes['a'], 'pypy');
    assert.equal(runtimes['b'], 'python');
  });

  await t.test('a bad runtime is an error at the option, listing the valid ones', () => {
    const lines = messages.map(formatMessage);
    const valid = pythonRuntimes.join(', ');
    assert.ok(lines.includes(`runtimes.md:13:31: error: unknown runtime \`pypi\` for a python block: expected one of ${valid} [unknown-runtime]`), lines.join('\n'));
    assert.ok(lines.includes('runtimes.md:17:16: error: runtime `python3.12` runs python blocks, not go blocks: expected one of go [unknown-runtime]'), lines.join('\n'));
    assert.ok(lines.includes('runtimes.md:21:20: error: option `runtime` needs a value, e.g. `runtime=pypy` [invalid-option]'), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('runtimes.md:25:16: error: option `runtime` does not apply to a code block')), lines.join('\n'));
    assert.equal(messages.length, 4, lines.join('\n'));
  });
});
