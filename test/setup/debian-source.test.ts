import assert from 'node:assert/strict';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import test from 'node:test';
import {findOnPath} from '../../src/system/probe.js';
import {pyenvRoot} from '../../src/runtimes/python-discovery.js';
import {debianCPythonSources, pyenvDefinitionSha256} from '../../src/setup/cpython.js';
import {aptOptions, debianKeyring, debianMirror, fetchDebianSource, sha256File, sourceList, upstreamOf, writeAptConfig} from '../../src/setup/debian-source.js';

test('Debian source lists', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-apt-'));
  t.after(() => rm(dir, {recursive: true, force: true}));

  await t.test('a deb-src entry signed by the given keyring', () => {
    assert.equal(
      sourceList({mirror: 'http://mirror.example/debian', suite: 'trixie', keyring: '/usr/share/keyrings/debian-archive-keyring.gpg'}),
      'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian trixie main\n'
    );
  });

  await t.test('upstreamOf drops the epoch and the Debian revision', () => {
    assert.equal(upstreamOf('3.13.5-2+deb13u5'), '3.13.5');
    assert.equal(upstreamOf('1:2.0-1'), '2.0');
    assert.equal(upstreamOf('3.13.15-1'), '3.13.15');
  });

  await t.test('debianMirror: the main archive of the machine\'s sources, deb822 or one-line, not security nor third parties', async () => {
    const etc = path.join(dir, 'etc');
    await mkdir(path.join(etc, 'sources.list.d'), {recursive: true});
    assert.equal(await debianMirror(etc), undefined);
    await writeFile(path.join(etc, 'sources.list.d', 'a-vendor.list'), 'deb [signed-by=/x.gpg] https://apt.vendor.example/ stable main\n');
    await writeFile(
      path.join(etc, 'sources.list.d', 'debian.sources'),
      'Types: deb\nURIs: http://security.example/debian-security\nSuites: bookworm-security\n\nTypes: deb\nURIs: http://local-mirror.example/debian/\nSuites: bookworm\n'
    );
    assert.equal(await debianMirror(etc), 'http://local-mirror.example/debian');
    await writeFile(path.join(etc, 'sources.list'), '# comment\ndeb [arch=amd64] http://first.example/debian bookworm main\n');
    assert.equal(await debianMirror(etc), 'http://first.example/debian', 'sources.list is read first, as apt does');
  });

  await t.test('apt-get works on our own configuration, leaving the machine\'s lists alone', async () => {
    const config = await writeAptConfig(path.join(dir, 'state'), '');
    const options = aptOptions(config);
    assert.ok(options.every((word, index) => (index % 2 === 0) === (word === '-o')), options.join(' '));
    assert.ok(options.includes(`Dir::State::Lists=${config.lists}`));
    assert.ok(options.includes(`Dir::Etc::SourceParts=${config.sourceParts}`));
    assert.ok(existsSync(path.join(config.lists, 'partial')));
  });
});

const aptGet = await findOnPath('apt-get');
const mirror = await debianMirror();
const noApt = !aptGet ? 'no apt-get here' : !mirror ? 'no Debian mirror in /etc/apt' : !existsSync(debianKeyring) ? `${debianKeyring} is missing` : false;

test('fetchDebianSource: Debian trixie\'s python3.13, as any user', {skip: noApt}, async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'benchbook-source-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const {suite, package: name} = debianCPythonSources['3.13']!;
  const lines: string[] = [];

  const source = await fetchDebianSource({package: name, suite, dir, log: (line) => lines.push(line)});
  if (typeof source === 'string' && /Failed to fetch|Could not resolve|Temporary failure|timed out/.test(source)) return t.skip(`the Debian mirror is out of reach: ${source}`);
  assert.equal(typeof source, 'object', String(source));
  if (typeof source === 'string') return;

  await t.test('the upstream tarball, checked against the signed index', async () => {
    assert.match(source.version, /^3\.13\.\d+-/);
    assert.equal(source.upstreamVersion, upstreamOf(source.version));
    assert.equal(path.basename(source.orig), `python3.13_${source.upstreamVersion}.orig.tar.xz`);
    assert.equal(await sha256File(source.orig), source.sha256);
    assert.equal(source.downloaded, true);
    assert.deepEqual(lines.map((line) => line.split(/\s+/).slice(0, 3).join(' ')), ['source apt-get update', 'source apt-get source']);
    // Our list only: the Sources index of trixie, nothing of the machine's own suites.
    const list = await readFile(path.join(dir, 'sources.list'), 'utf8');
    assert.equal(list, `deb-src [signed-by=${debianKeyring}] ${mirror} trixie main\n`);
  });

  await t.test('the tarball is the python.org release byte for byte (pyenv\'s sha256)', async (t) => {
    const root = await pyenvRoot();
    const expected = root ? await pyenvDefinitionSha256(root, source.upstreamVersion) : undefined;
    if (!expected) return t.skip(`no pyenv definition of ${source.upstreamVersion} here to compare with`);
    assert.equal(source.sha256, expected);
    // The free-threaded definition builds from the same tarball.
    assert.equal(await pyenvDefinitionSha256(root!, `${source.upstreamVersion}t`), expected);
  });

  await t.test('a second fetch reuses the download without running apt', async () => {
    lines.length = 0;
    const again = await fetchDebianSource({package: name, suite, dir, mirror: 'http://unreachable.invalid/debian', log: (line) => lines.push(line)});
    assert.equal(typeof again, 'object', String(again));
    if (typeof again === 'string') return;
    assert.equal(again.downloaded, false);
    assert.equal(again.sha256, source.sha256);
    assert.deepEqual(lines, []);
    assert.ok(again.durationMs < 5000, `${again.durationMs} ms`);
  });

  await t.test('a package the suite does not carry is a one-line reason', async () => {
    const missing = await fetchDebianSource({package: 'python3.12', suite, dir});
    assert.equal(typeof missing, 'string');
    assert.match(String(missing), /^apt-get source --download-only python3\.12 failed: E: Unable to find a source package for python3\.12$/);
  });
});
