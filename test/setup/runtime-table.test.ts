import assert from 'node:assert/strict';
import test from 'node:test';
import {runtimeNames} from '../../src/runtimes/index.js';
import {installedPackages} from '../../src/setup/apt.js';
import {installCommand, installHints} from '../../src/setup/install-hints.js';
import {formatRuntimeTable, runtimeRows} from '../../src/setup/runtime-table.js';

test('installCommand', async (t) => {
  await t.test('every runtime has a hint', () => {
    assert.deepEqual(Object.keys(installHints).sort(), [...runtimeNames()].sort());
    for (const name of runtimeNames()) assert.ok(installCommand(name, {root: false}), name);
  });

  await t.test('sudo for a user, none for root', () => {
    assert.equal(installCommand('pypy', {root: false}), 'sudo apt-get install -y pypy3');
    assert.equal(installCommand('pypy', {root: true}), 'apt-get install -y pypy3');
    assert.equal(installCommand('numba', {root: false}), 'sudo apt-get install -y python3-venv && npm run setup');
  });

  await t.test('installed packages are left out, and a command with nothing to install is the next step', () => {
    assert.equal(installCommand('numba', {root: false, installed: new Set(['python3-venv'])}), 'npm run setup');
    const hint = installHints['python-ft']!;
    assert.equal(installCommand('python-ft', {root: false, installed: new Set(hint.apt)}), `npm run setup (${hint.otherwise})`);
    // Installed, yet the runtime is missing: installing it is still the advice.
    assert.equal(installCommand('pypy', {root: false, installed: new Set(['pypy3'])}), 'sudo apt-get install -y pypy3');
  });

  await t.test('a version Debian does not have says so, and how to get it', () => {
    assert.match(installCommand('python3.12', {root: false}) ?? '', /^Debian has no python3\.12 in any suite: pyenv install 3\.12/);
  });

  await t.test('installedPackages asks dpkg, and an unknown package is simply not installed', async (t) => {
    const installed = await installedPackages(['dpkg', 'benchbook-no-such-package']);
    if (installed.size === 0) return t.skip('no dpkg here');
    assert.deepEqual([...installed], ['dpkg']);
  });
});

test('the runtime table', async (t) => {
  const resolved = {
    found: {python: {name: 'python', executable: '/usr/bin/python3.11', version: 'CPython 3.11.2'}},
    missing: {
      pypy: 'pypy3 not found on PATH — run npm run setup as root',
      'python3.12': 'python3.12 not found (no pyenv) — run npm run setup'
    }
  };
  const rows = runtimeRows(['python', 'python3.12', 'pypy'], resolved, {root: false, used: ['python', 'python3.12'], reasons: {'python3.12': 'python3.12 not found (no pyenv); no Debian suite carries a python3.12 source'}});

  await t.test('rows: ready with version and executable, missing with the reason (without its advice) and the command', () => {
    assert.deepEqual(rows, [
      {name: 'python', status: 'ready', version: 'CPython 3.11.2', executable: '/usr/bin/python3.11', used: true},
      {name: 'python3.12', status: 'missing', reason: 'python3.12 not found (no pyenv); no Debian suite carries a python3.12 source', command: installCommand('python3.12', {root: false}), used: true},
      {name: 'pypy', status: 'missing', reason: 'pypy3 not found on PATH', command: 'sudo apt-get install -y pypy3', used: false}
    ]);
  });

  await t.test('lines: one per ready runtime, two per missing one, and the legend of *', () => {
    assert.deepEqual(formatRuntimeTable(rows), [
      'runtime      status   version         executable, or what brings it',
      'python*      ready    CPython 3.11.2  /usr/bin/python3.11',
      `python3.12*  missing  run: ${installCommand('python3.12', {root: false})}`,
      '                      why: python3.12 not found (no pyenv); no Debian suite carries a python3.12 source',
      'pypy         missing  run: sudo apt-get install -y pypy3',
      '                      why: pypy3 not found on PATH',
      '* used by the notebooks: their blocks on it are skipped while it is missing'
    ]);
  });
});
