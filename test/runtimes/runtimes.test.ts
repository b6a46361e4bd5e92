import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import path from 'node:path';
import test from 'node:test';
import {resolveRuntimes} from '../../src/runtimes/index.js';

test('resolveRuntimes', async (t) => {
  await t.test('finds every runtime quickly and in parallel', async () => {
    const started = performance.now();
    const {found, missing} = await resolveRuntimes(['python', 'go', 'c', 'js', 'ts']);
    const elapsed = performance.now() - started;
    assert.deepEqual(missing, {});
    assert.deepEqual(Object.keys(found).sort(), ['c', 'go', 'js', 'python', 'ts']);
    // The budget is 200 ms; leave room for a loaded test machine.
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  });

  await t.test('records the real python, not a pyenv shim', async () => {
    const {found} = await resolveRuntimes(['python']);
    const python = found['python'];
    assert.ok(python);
    assert.ok(path.isAbsolute(python.executable));
    assert.ok(!python.executable.includes(`${path.sep}shims${path.sep}`), python.executable);
    assert.match(python.version, /^CPython 3\.\d+\.\d+$/);
    assert.doesNotMatch(readFileSync(python.executable).subarray(0, 2).toString(), /^#!/);
  });

  await t.test('records go under GOROOT and gcc with its flags', async () => {
    const {found} = await resolveRuntimes(['go', 'c']);
    assert.match(found['go']?.version ?? '', /^go\d+\.\d+/);
    assert.ok(found['go']?.executable.endsWith(`${path.sep}bin${path.sep}go`));
    assert.match(found['c']?.version ?? '', /^gcc \d+\.\d+/);
    assert.ok(path.isAbsolute(found['c']?.executable ?? ''));
    assert.deepEqual(found['c']?.flags, ['-O2', '-std=gnu11']);
  });

  await t.test('describes node and typescript', async () => {
    const {found} = await resolveRuntimes(['js', 'ts']);
    const tsVersion = (createRequire(import.meta.url)('typescript/package.json') as {version: string}).version;
    assert.deepEqual(found['js'], {name: 'js', executable: process.execPath, version: `node ${process.version}`});
    assert.equal(found['ts']?.executable, process.execPath);
    assert.equal(found['ts']?.version, `node ${process.version} + typescript ${tsVersion}`);
  });

  await t.test('reports unknown and missing runtimes with what to do', async () => {
    const saved = process.env['BENCHBOOK_PYTHON'];
    process.env['BENCHBOOK_PYTHON'] = '/nonexistent/python3';
    try {
      const {found, missing} = await resolveRuntimes(['python', 'cobol', 'js']);
      assert.deepEqual(Object.keys(found), ['js']);
      assert.equal(missing['cobol'], 'unknown runtime');
      assert.match(missing['python'] ?? '', /^\/nonexistent\/python3 not found — fix BENCHBOOK_PYTHON/);
      assert.doesNotMatch(missing['python'] ?? '', /\n/);
    } finally {
      if (saved === undefined) delete process.env['BENCHBOOK_PYTHON'];
      else process.env['BENCHBOOK_PYTHON'] = saved;
    }
  });

  await t.test('reports a runtime that fails to answer', async () => {
    const saved = process.env['BENCHBOOK_PYTHON'];
    process.env['BENCHBOOK_PYTHON'] = '/bin/false';
    try {
      const {missing} = await resolveRuntimes(['python']);
      assert.match(missing['python'] ?? '', /^\/bin\/false exited with code 1 — /);
    } finally {
      if (saved === undefined) delete process.env['BENCHBOOK_PYTHON'];
      else process.env['BENCHBOOK_PYTHON'] = saved;
    }
  });

  await t.test('honours BENCHBOOK_PYTHON', async () => {
    const {found} = await resolveRuntimes(['python']);
    const real = found['python']!.executable;
    const saved = process.env['BENCHBOOK_PYTHON'];
    process.env['BENCHBOOK_PYTHON'] = real;
    try {
      assert.equal((await resolveRuntimes(['python'])).found['python']?.executable, real);
    } finally {
      if (saved === undefined) delete process.env['BENCHBOOK_PYTHON'];
      else process.env['BENCHBOOK_PYTHON'] = saved;
    }
  });
});
