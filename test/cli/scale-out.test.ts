/**
 * Shard -> merge -> site with two real machines: the 2-core box and the same box under
 * `taskset -c 0` (its CPU affinity makes it a 1-core machine with its own fingerprint).
 */
import assert from 'node:assert/strict';
import {readdir, readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {FileSystemConfigLoader, HtmlValidate} from 'html-validate';
import {packageRoot} from '../../src/paths.js';
import {fixture} from '../helpers/paths.js';
import {hasCommand, scratchPackage, type ScratchPackage} from '../helpers/project.js';

let project: ScratchPackage;
let taskset = false;
before(async () => {
  project = await scratchPackage([fixture('scale', 'two-machines.md')]);
  taskset = await hasCommand('taskset');
});
after(() => project?.dispose());

const notebook = 'notebooks/two-machines.md';
const shardKeys = async (folder: string): Promise<{fingerprint: string; keys: string[]}> => {
  const [fingerprint] = await readdir(path.join(project.dir, folder, 'two-machines'));
  const keys = (await readdir(path.join(project.dir, folder, 'two-machines', fingerprint!))).filter((name) => name.endsWith('.json'));
  return {fingerprint: fingerprint!, keys};
};

test('two shards on two machines merge into one site with both machines side by side', async (t) => {
  if (!taskset) return t.skip('taskset (util-linux) is not installed: no second machine on this box');
  await t.test('each shard measures its part and writes a manifest, no pages', async () => {
    for (const [prefix, folder] of [['', 'm2'], ['taskset -c 0 ', 'm1']] as const) {
      for (const shard of [1, 2]) {
        const run = await project.sh(`${prefix}npm run report -- ${notebook} --shard ${shard}/2 --data results/${folder}-${shard} --allow-failures`);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, new RegExp(`shard ${shard}/2 \\(manifest`));
      }
    }
    const [a, b] = [await shardKeys('results/m2-1'), await shardKeys('results/m2-2')];
    assert.equal(a.keys.filter((key) => b.keys.includes(key)).length, 0, 'disjoint shards');
    assert.equal(a.keys.length + b.keys.length, 7, 'every run in one shard');
    assert.ok(a.keys.includes('loop.json') === a.keys.includes('builtin.json'), 'a claim\'s blocks in one shard');
    const one = await shardKeys('results/m1-1');
    assert.notEqual(one.fingerprint, a.fingerprint, 'taskset -c 0 is another machine');
    const manifest = JSON.parse(await readFile(path.join(project.dir, 'results/m1-1/shards', one.fingerprint, '1-of-2.json'), 'utf8'));
    assert.equal(manifest.machine.cores, 1);
    assert.equal(manifest.profile, 'quick');
    assert.deepEqual(manifest.shard, {index: 1, count: 2});
    assert.ok(manifest.versions.runtimes.python && manifest.versions.node === process.version);
    await assert.rejects(readFile(path.join(project.dir, 'output', 'two-machines.html')), {code: 'ENOENT'});
  });

  await t.test('text from an artifact is escaped on the page', async () => {
    // A well-formed record with HTML where a machine's name and a run's output go.
    const {fingerprint, keys} = await shardKeys('results/m1-1');
    for (const key of keys) {
      const file = path.join(project.dir, 'results/m1-1/two-machines', fingerprint, key);
      const record = JSON.parse(await readFile(file, 'utf8'));
      record.machine.cpu = 'Evil <img src=x onerror=alert(1)> CPU';
      if (record.kind === 'run') record.result.stdout = '<script>alert(1)</script>\n';
      await writeFile(file, JSON.stringify(record));
    }
  });

  await t.test('merge takes all four in; the site shows both machines', async () => {
    const merge = await project.sh('npm run merge -- results/*');
    assert.equal(merge.code, 0, merge.stderr);
    assert.match(merge.stdout, /4 of 4 folders merged; results 14 added/);
    const build = await project.sh('npm run report -- --from-data');
    assert.equal(build.code, 0, build.stderr);
    const page = await readFile(path.join(project.dir, 'output', 'two-machines.html'), 'utf8');
    assert.match(page, /Measured on 2 machines/);
    assert.match(page, /\.machine-facets \.facets \{/, 'the machines styles are added');
    assert.equal(page.match(/<colgroup class="machine"/g)?.length, 2, 'a column group per machine');
    assert.match(page, /<th scope="colgroup" colspan="\d+">[^<]*2 cores<\/th>/);
    assert.match(page, /1 core<\/th>/);
    assert.equal(page.match(/<div class="facet">/g)?.length, 2, 'a chart panel per machine');
    assert.match(page, /By machine: (holds|not measured|holds on \d of 2 machines)/);
    assert.equal(page.match(/<li><span class="verdict [^"]+">[^<]+<\/span> on /g)?.length, 2, 'a verdict per machine');
    assert.doesNotMatch(page, /<img src=x|<script>alert/);
    assert.match(page, /Evil &lt;img src=x onerror=alert\(1\)&gt; CPU/);
    const index = await readFile(path.join(project.dir, 'output', 'index.html'), 'utf8');
    assert.match(index, /holds on \d of 2 machines/);
    const validator = new HtmlValidate(new FileSystemConfigLoader());
    for (const name of ['two-machines.html', 'index.html']) {
      const html = await readFile(path.join(project.dir, 'output', name), 'utf8');
      const report = await validator.validateString(html, path.join(packageRoot, 'output', name));
      assert.deepEqual(report.results.flatMap((result) => result.messages.map((message) => `${name}:${message.line}: ${message.message} [${message.ruleId}]`)), []);
    }
  });
});
