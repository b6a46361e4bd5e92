import assert from 'node:assert/strict';
import test from 'node:test';
import {aptPackages, ensureAptPackages, installedPackages} from '../../src/setup/apt.js';

test('ensureAptPackages', async (t) => {
  await t.test('installs nothing when every command is on PATH', async () => {
    const lines: string[] = [];
    const outcome = await ensureAptPackages({packages: [{name: 'dash', command: 'sh', purpose: 'a shell'}], log: (line) => lines.push(line)});
    assert.deepEqual(outcome, {present: ['dash'], installed: [], missing: [], durationMs: outcome.durationMs});
    assert.deepEqual(lines, []);
  });

  await t.test('without the right to install, says what to run and runs nothing', async () => {
    const lines: string[] = [];
    const outcome = await ensureAptPackages({
      packages: [
        {name: 'dash', command: 'sh', purpose: 'a shell'},
        {name: 'benchbook-no-such-package', command: 'benchbook-no-such-command', purpose: 'nothing'}
      ],
      canInstall: false,
      log: (line) => lines.push(line)
    });
    assert.deepEqual(outcome.present, ['dash']);
    assert.deepEqual(outcome.missing, ['benchbook-no-such-package']);
    assert.deepEqual(outcome.installed, []);
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    assert.match(outcome.advice ?? '', new RegExp(`(^run: ${sudo}apt-get install -y benchbook-no-such-package$|^no apt-get here)`));
    assert.deepEqual(lines, [], 'nothing was run');
  });

  await t.test('a package without a command is looked up in dpkg\'s status', async (t) => {
    if (!(await installedPackages(['dpkg'])).has('dpkg')) return t.skip('no dpkg here');
    const outcome = await ensureAptPackages({packages: [{name: 'dpkg', purpose: 'itself'}, {name: 'benchbook-no-such-package', purpose: 'nothing'}], canInstall: false});
    assert.deepEqual(outcome.present, ['dpkg']);
    assert.deepEqual(outcome.missing, ['benchbook-no-such-package']);
  });

  await t.test('the packages npm run setup wants', () => {
    assert.deepEqual(aptPackages.map((pkg) => pkg.name), ['pypy3', 'hyperfine', 'valgrind', 'ccache']);
  });
});
