import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {runProcess} from '../../src/system/run-process.js';
import {describePython, probePython, venvPython} from '../../src/runtimes/python.js';
import {packageRoot} from '../../src/paths.js';
import {chooseVenvPython, parseLockInfo, readLockInfo, venvCandidates, type LockInfo, type VenvCandidate} from '../../src/setup/venv-python.js';

const lockFile = path.join(packageRoot, 'requirements.txt');

/** A candidate as venvCandidates returns them, for the pure choice. */
function candidate(version: string, executable: string, isDefault = false): VenvCandidate {
  return {python: {name: 'python', executable, version: `CPython ${version}`}, minor: version.split('.').slice(0, 2).join('.'), isDefault};
}

test('the lock header', async (t) => {
  await t.test('requirements.txt names its own version and the supported ones', async () => {
    assert.deepEqual(await readLockInfo(lockFile), {lockPython: '3.11', supported: ['3.11', '3.12', '3.13']});
  });

  await t.test('a lock without the header is a message naming the file and the missing line', () => {
    assert.match(String(parseLockInfo('numpy==2.4.6\n', 'x.txt')), /^x\.txt: missing a "# lock-python: 3\.X" line/);
    assert.match(String(parseLockInfo('# lock-python: 3.11\n', 'x.txt')), /^x\.txt: missing or malformed "# supported-python/);
    assert.match(String(parseLockInfo('# lock-python: 3.10\n# supported-python: 3.11 3.12\n', 'x.txt')), /lock-python 3\.10 is not among supported-python 3\.11 3\.12/);
  });
});

test('chooseVenvPython', async (t) => {
  const lock: LockInfo = {lockPython: '3.11', supported: ['3.11', '3.12', '3.13']};

  await t.test('the lock\'s own version first, even when python3 is another supported one', () => {
    const choice = chooseVenvPython([candidate('3.12.1', '/a/python3.12', true), candidate('3.11.7', '/b/python3.11'), candidate('3.13.0', '/c/python3.13')], lock);
    assert.equal(choice.chosen?.python.executable, '/b/python3.11');
    assert.equal(choice.reason, 'the lock\'s own version 3.11');
  });

  await t.test('among the lock\'s version, the python runtime (the interpreter plain blocks run on), then the newest', () => {
    assert.equal(chooseVenvPython([candidate('3.11.7', '/pyenv/python3.11'), candidate('3.11.2', '/usr/bin/python3.11', true)], lock).chosen?.python.executable, '/usr/bin/python3.11');
    assert.equal(chooseVenvPython([candidate('3.11.2', '/usr/bin/python3.11'), candidate('3.11.7', '/pyenv/python3.11')], lock).chosen?.python.executable, '/pyenv/python3.11');
  });

  await t.test('without the lock\'s version, another supported one; unsupported ones never', () => {
    const choice = chooseVenvPython([candidate('3.9.18', '/a/python3.9', true), candidate('3.12.1', '/b/python3.12'), candidate('3.13.0', '/c/python3.13')], lock);
    assert.equal(choice.chosen?.python.executable, '/c/python3.13');
    assert.match(choice.reason, /the lock's own 3\.11 is not here/);
    const none = chooseVenvPython([candidate('3.9.18', '/a/python3.9', true)], lock);
    assert.equal(none.chosen, undefined);
    assert.match(none.reason, /^no CPython 3\.11, 3\.12, 3\.13 here \(saw CPython 3\.9\.18 at \/a\/python3\.9\): install one/);
  });

  await t.test('venvCandidates here: real interpreters, supported or not, none free-threaded', async () => {
    const found = await venvCandidates(lock);
    assert.ok(found.length > 0);
    assert.ok(found.filter((one) => one.isDefault).length <= 1);
    for (const one of found) {
      assert.ok(path.isAbsolute(one.python.executable));
      assert.match(one.python.version, /^CPython 3\.\d+\.\d+$/);
      assert.ok(!one.python.executable.endsWith('t'), one.python.executable);
    }
  });
});

/**
 * Two interpreters of different supported minor versions found here: the distribution's own python3 first
 * when it is a supported one (Debian bookworm's 3.11.2 is older than some pins allow, which the markers handle).
 */
async function twoVersions(): Promise<VenvCandidate[]> {
  const lock = await readLockInfo(lockFile);
  if (typeof lock === 'string') return [];
  const found = await venvCandidates(lock);
  const system = existsSync('/usr/bin/python3') ? await probePython('/usr/bin/python3', 'skipped') : 'absent';
  if (typeof system !== 'string' && system.implementation === 'CPython') {
    const minor = system.version.split('.').slice(0, 2).join('.');
    found.unshift({python: {name: 'python', executable: system.executable, version: describePython(system)}, minor, isDefault: false});
  }
  const picked: VenvCandidate[] = [];
  for (const one of found) if (lock.supported.includes(one.minor) && !picked.some((other) => other.minor === one.minor)) picked.push(one);
  return picked.slice(0, 2);
}

const pythons = await twoVersions();

test('the lock installs on two supported versions, into fresh venvs', {skip: pythons.length < 2 ? `fewer than two supported CPython versions here (${pythons.map((one) => one.python.version).join(', ') || 'none'})` : false}, async (t) => {
  const lockText = await readFile(lockFile, 'utf8');
  const pins = lockText
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [requirement, marker] = line.split(';').map((part) => part.trim());
      const [name, version] = requirement!.split('==');
      return {name: normalise(name!), version: version!, marker: marker ?? ''};
    });

  for (const {python} of pythons) {
    await t.test(`${python.version} (${python.executable})`, async (t) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-lock-'));
      t.after(() => rm(dir, {recursive: true, force: true}));
      const created = await runProcess(python.executable, ['-m', 'venv', dir], {timeoutMs: 120_000});
      assert.equal(created.exitCode, 0, created.stderr);
      // What the venv holds before pip (pip, and setuptools on 3.11): not the lock's to pin.
      const listScript = 'import json\nfrom importlib.metadata import distributions\nprint(json.dumps(sorted({(d.metadata["Name"].lower().replace("_", "-").replace(".", "-"), d.version) for d in distributions()})))';
      const seeded = await runProcess(venvPython(dir), ['-c', listScript], {timeoutMs: 60_000});
      assert.equal(seeded.exitCode, 0, seeded.stderr);
      const seed = JSON.parse(seeded.stdout) as [string, string][];

      const pip = await runProcess(
        venvPython(dir),
        ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', lockFile],
        {timeoutMs: 15 * 60_000, env: {PIP_NO_INPUT: '1'}}
      );
      assert.equal(pip.exitCode, 0, `${pip.stderr}\n${pip.stdout}`);
      const check = await runProcess(venvPython(dir), ['-m', 'pip', 'check', '--disable-pip-version-check'], {timeoutMs: 120_000});
      assert.equal(check.exitCode, 0, check.stdout);

      // Exactly what the lock pins for this interpreter, nothing unpinned: the markers are judged by the venv's own packaging.
      const markerScript = 'import json, sys\nfrom packaging.markers import Marker\nprint(json.dumps([bool(not m or Marker(m).evaluate()) for m in json.load(sys.stdin)]))';
      const judged = await runProcess(venvPython(dir), ['-c', markerScript], {input: JSON.stringify(pins.map((pin) => pin.marker)), timeoutMs: 60_000});
      assert.equal(judged.exitCode, 0, judged.stderr);
      const applies = JSON.parse(judged.stdout) as boolean[];
      const wanted = pins.filter((_, index) => applies[index]).map((pin): [string, string] => [pin.name, pin.version]);
      assert.equal(new Set(wanted.map(([name]) => name)).size, wanted.length, 'one version of each package applies');
      const listed = await runProcess(venvPython(dir), ['-c', listScript], {timeoutMs: 60_000});
      assert.equal(listed.exitCode, 0, listed.stderr);
      const expected = [...wanted, ...seed.filter(([name]) => !wanted.some(([pinned]) => pinned === name))].sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
      const have = (JSON.parse(listed.stdout) as [string, string][]).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
      assert.deepEqual(have, expected);

      const numba = await runProcess(venvPython(dir), ['-c', 'import numba, numpy; print(numba.__version__)'], {timeoutMs: 120_000});
      assert.equal(numba.exitCode, 0, numba.stderr);
      assert.equal(numba.stdout.trim(), pins.find((pin) => pin.name === 'numba')?.version);
      t.diagnostic(`pip install took ${(pip.durationMs / 1000).toFixed(1)} s`);
    });
  }
});

function normalise(name: string): string {
  return name.toLowerCase().replace(/[_.]/g, '-');
}
