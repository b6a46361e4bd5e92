import assert from 'node:assert/strict';
import {mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {after, before, test} from 'node:test';
import type {StoredResult} from '../../src/model/index.js';
import {formatMergeReport, mergeResults} from '../../src/store/merge.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-merge-'));
});
after(() => rm(dir, {recursive: true, force: true}));

const fingerprint = 'aaaaaaaaaaaa';

/** A well-formed stored result; `change` edits it (also into something malformed). */
function record(change: (record: StoredResult & Record<string, unknown>) => void = () => {}, key = 'fast'): StoredResult {
  const value = {
    format: 1,
    notebook: 'nb',
    key,
    blockId: key.split('@')[0]!,
    kind: 'bench',
    hash: 'h1',
    profile: 'quick',
    runtime: {name: 'python', version: 'CPython 3.11.7', executable: '/usr/bin/python3'},
    machine: {fingerprint, hostname: 'box', cpu: 'Test CPU', cores: 2, memoryGiB: 24, os: 'Debian 12', kernel: '6.1', arch: 'x64', loadavg: 0.1},
    date: '2026-01-01T00:00:00.000Z',
    result: {status: 'ok', timedOut: false, durationMs: 10, stdout: '', stderr: '', samples: [1, 2, 3]},
    stats: {n: 3, min: 1, max: 3, mean: 2, median: 2, stddev: 1, mad: 1, ci: [1, 3], outliers: [], warnings: []}
  } as unknown as StoredResult & Record<string, unknown>;
  change(value);
  return value;
}

/** An artifact folder holding the given files (paths relative to it). */
async function artifact(name: string, files: Record<string, string | StoredResult>): Promise<string> {
  const root = path.join(dir, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), {recursive: true});
    await writeFile(path.join(root, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return root;
}

/** Every file under a folder with its content: to show that a refused merge changed nothing. */
async function snapshot(folder: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(folder, {recursive: true, withFileTypes: true}).catch(() => [])) {
    if (entry.isFile()) out[path.relative(folder, path.join(entry.parentPath, entry.name))] = await readFile(path.join(entry.parentPath, entry.name), 'utf8');
  }
  return out;
}

const place = `nb/${fingerprint}/fast.json`;

test('merge takes good artifacts in; per machine and key the newest wins', async (t) => {
  const data = path.join(dir, 'data-good');
  await t.test('new results are added', async () => {
    const report = await mergeResults([await artifact('good-1', {[place]: record()})], data);
    assert.equal(report.added, 1);
    assert.deepEqual(report.refused, []);
    assert.equal(JSON.parse(await readFile(path.join(data, place), 'utf8')).hash, 'h1');
  });
  await t.test('a newer run replaces it; an older one of other code is kept out and reported', async () => {
    const newer = await artifact('good-2', {[place]: record((r) => ((r.date = '2026-02-01T00:00:00.000Z'), (r.hash = 'h2')))});
    assert.equal((await mergeResults([newer], data)).replaced, 1);
    const older = await artifact('good-3', {[place]: record((r) => (r.hash = 'h0'))});
    const report = await mergeResults([older], data);
    assert.equal(report.keptNewer, 1);
    assert.match(report.conflicts.join('\n'), /older result .* of other code/);
    assert.equal(JSON.parse(await readFile(path.join(data, place), 'utf8')).hash, 'h2');
  });
  await t.test('the same result from two artifacts is a conflict; the newest is kept', async () => {
    const a = await artifact('twice-a', {'nb/bbbbbbbbbbbb/x.json': record((r) => ((r.key = 'x'), (r.blockId = 'x'), (r.machine.fingerprint = 'bbbbbbbbbbbb'), (r.date = '2026-03-01T00:00:00.000Z')), 'x')});
    const b = await artifact('twice-b', {'nb/bbbbbbbbbbbb/x.json': record((r) => ((r.key = 'x'), (r.blockId = 'x'), (r.machine.fingerprint = 'bbbbbbbbbbbb'), (r.date = '2026-03-02T00:00:00.000Z')), 'x')});
    const report = await mergeResults([a, b], data);
    assert.match(report.conflicts.join('\n'), /measured in both/);
    assert.equal(JSON.parse(await readFile(path.join(data, 'nb/bbbbbbbbbbbb/x.json'), 'utf8')).date, '2026-03-02T00:00:00.000Z');
  });
  await t.test('a failed run is kept beside a good result, never over it', async () => {
    const failed = await artifact('failed', {[place]: record((r) => ((r.date = '2026-04-01T00:00:00.000Z'), (r.result = {...r.result, status: 'failed', reason: 'exited with code 1'}), delete r.stats))});
    const report = await mergeResults([failed], data);
    assert.equal(report.failures, 1);
    assert.equal(JSON.parse(await readFile(path.join(data, place), 'utf8')).result.status, 'ok');
    assert.equal(JSON.parse(await readFile(path.join(data, `nb/${fingerprint}/fast.failed.json`), 'utf8')).result.status, 'failed');
  });
  await t.test('README files and baselines are left alone', async () => {
    const report = await mergeResults([await artifact('extras', {'README.md': '# hi', 'baselines/main/nb/fast.json': '{}', [place]: record((r) => (r.date = '2026-05-01T00:00:00.000Z'))})], data);
    assert.equal(report.refused.length, 0);
    assert.equal(report.ignored.length, 2);
  });
});

test('merge refuses hostile artifacts whole, naming the file, and leaves data/ as it was', async (t) => {
  const data = path.join(dir, 'data-hostile');
  await mergeResults([await artifact('base', {[place]: record()})], data);
  const before = await snapshot(data);
  const cases: Array<[name: string, files: Record<string, string | StoredResult>, problem: RegExp]> = [
    ['an unknown format version', {[place]: record((r) => ((r as Record<string, unknown>).format = 2))}, /unknown format version 2/],
    ['a key that is not a plain name', {[`nb/${fingerprint}/.._.._etc.json`]: record((r) => (r.key = '../../etc'), '../../etc')}, /not <key>\.json with a plain key/],
    ['a key that climbs out through its record', {[`nb/${fingerprint}/fast.json`]: record((r) => (r.key = '../../../escape'))}, /key "..\/..\/..\/escape" does not match the file name/],
    ['a fingerprint folder that is not a plain name', {'nb/..aa/fast.json': record()}, /machine fingerprint "\.\.aa" is not a plain name/],
    ['a record claiming another machine', {[place]: record((r) => (r.machine.fingerprint = '../other'))}, /machine fingerprint "\.\.\/other" is not a plain name/],
    ['a record of another notebook', {[place]: record((r) => (r.notebook = '../nb2'))}, /notebook "\.\.\/nb2" is not the folder/],
    ['malformed JSON', {[place]: '{"format": 1,'}, /not JSON/],
    ['a malformed record', {[place]: record((r) => ((r.stats as unknown as Record<string, unknown>).median = 'fast'))}, /stats are not numbers/],
    ['samples that are not numbers', {[place]: record((r) => ((r.result as unknown as Record<string, unknown>).samples = ['<b>']))}, /samples are not numbers/],
    ['a file over the size limit', {[place]: record((r) => (r.result.stdout = 'x'.repeat(4096)))}, /over the limit of 2048 bytes/],
    ['a bad manifest', {[place]: record(), [`shards/${fingerprint}/1-of-2.json`]: JSON.stringify({format: 1, kind: 'benchbook-shard', shard: {index: 3, count: 2}})}, /shard is not \{index, count\}/]
  ];
  for (const [name, files, problem] of cases) {
    await t.test(name, async () => {
      const folder = await artifact(`hostile-${name.replace(/\W+/g, '-')}`, files);
      const report = await mergeResults([folder], data, {maxFileBytes: 2048});
      assert.equal(report.refused.length, 1, JSON.stringify(report));
      assert.match(report.refused[0]!.files.map((file) => `${file.file}: ${file.problem}`).join('\n'), problem);
      assert.ok(report.refused[0]!.files.every((file) => file.file.startsWith(folder)), 'names the file');
      assert.match(formatMergeReport(report, data).join('\n'), /refused .*: nothing of it was merged/);
      assert.deepEqual(await snapshot(data), before, 'data/ unchanged');
    });
  }
  await t.test('a symbolic link', async () => {
    const folder = await artifact('hostile-link', {});
    await mkdir(path.join(folder, 'nb', fingerprint), {recursive: true});
    await symlink('/etc/passwd', path.join(folder, 'nb', fingerprint, 'fast.json'));
    const report = await mergeResults([folder], data);
    assert.match(report.refused[0]!.files[0]!.problem, /not a plain file/);
    assert.deepEqual(await snapshot(data), before);
  });
  await t.test('a good artifact beside a bad one is still merged', async () => {
    const good = await artifact('beside-good', {'nb/cccccccccccc/fast.json': record((r) => (r.machine.fingerprint = 'cccccccccccc'))});
    const bad = await artifact('beside-bad', {[place]: '[]'});
    const report = await mergeResults([bad, good], data);
    assert.deepEqual(report.merged, [good]);
    assert.equal(report.refused[0]!.dir, bad);
    assert.equal(report.added, 1);
  });
});
