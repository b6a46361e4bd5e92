/**
 * The real pipeline (`buildReport`) on notebooks whose blocks fail, whose stored results go stale or
 * come from another machine: nothing good is lost, nothing foreign is reused, and the log says why
 * each block ran again.
 */
import assert from 'node:assert/strict';
import {mkdir, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';
import {parseNotebook} from '../../src/parse/index.js';
import {planNotebook} from '../../src/plan/index.js';
import {decideRuns, formatEvent, readStored, runPlan} from '../../src/run/index.js';
import {describeMachine, ResultStore} from '../../src/store/index.js';
import type {StoredResult} from '../../src/model/index.js';
import {scratchProject, type Scratch} from '../helpers/build.js';

let scratch: Scratch;
const fingerprint = describeMachine().fingerprint;
before(async () => {
  scratch = await scratchProject();
});
after(() => scratch.dispose());

/** Writes a notebook into the scratch folder and returns its path. */
async function notebook(name: string, body: string, title = name): Promise<string> {
  const file = path.join(scratch.dir, `${name}.md`);
  await writeFile(file, `---\ntitle: ${title}\n---\n\n${body}`);
  return file;
}

function resultFile(name: string, key: string, machine = fingerprint, suffix = '.json'): string {
  return path.join(scratch.dataDir, name, machine, `${key}${suffix}`);
}

async function readRecord(file: string): Promise<StoredResult> {
  return JSON.parse(await readFile(file, 'utf8')) as StoredResult;
}

async function editRecord(file: string, edit: (record: StoredResult) => void): Promise<void> {
  const record = await readRecord(file);
  edit(record);
  await writeFile(file, JSON.stringify(record));
}

/** The HTML of one block of a page, from its id to the next block. */
function blockHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `block ${id} is on the page`);
  const next = html.indexOf('class="block', start + 1);
  return html.slice(start, next === -1 ? undefined : next);
}

test('a failed re-run never replaces a good result: the page shows the good one, stale, with the new error', async () => {
  const file = await notebook('stale', '```python run id=flaky\nprint("good output")\n```\n');
  assert.equal((await scratch.build([file])).run, 1, scratch.lines.join('\n'));
  const good = await readFile(resultFile('stale', 'flaky'), 'utf8');

  await writeFile(file, (await readFile(file, 'utf8')).replace('print("good output")', 'import sys\nsys.exit(5)'));
  const summary = await scratch.build([file]);
  assert.equal(summary.failed, 1);
  assert.equal(await readFile(resultFile('stale', 'flaky'), 'utf8'), good, 'the good result is untouched');
  assert.equal((await readRecord(resultFile('stale', 'flaky', fingerprint, '.failed.json'))).result.reason, 'exited with code 5');
  const html = blockHtml(await scratch.read('stale.html'), 'flaky');
  assert.match(html, /good output/);
  assert.match(html, /class="notice stale">The latest run failed: the result shown is the previous one/);
  assert.match(html, /exited with code 5/);

  // Fixed again: the good result is replaced by the new one and the failure is forgotten.
  await writeFile(file, (await readFile(file, 'utf8')).replace('import sys\nsys.exit(5)', 'print("fixed")'));
  assert.equal((await scratch.build([file])).run, 1);
  await assert.rejects(readFile(resultFile('stale', 'flaky', fingerprint, '.failed.json')), {code: 'ENOENT'});
  const fixed = blockHtml(await scratch.read('stale.html'), 'flaky');
  assert.match(fixed, /fixed/);
  assert.doesNotMatch(fixed, /notice stale/);
});

test('results are this machine\'s: another fingerprint\'s result is never reused, only shown with --from-data', async (t) => {
  const file = await notebook('machines', '```python run id=where\nprint("measured here")\n```\n');
  const other = 'aaaaaaaaaaaa';

  await t.test('a result under another machine\'s folder is not reused', async () => {
    assert.equal((await scratch.build([file])).run, 1);
    await mkdir(path.dirname(resultFile('machines', 'where', other)), {recursive: true});
    await rename(resultFile('machines', 'where'), resultFile('machines', 'where', other));
    await editRecord(resultFile('machines', 'where', other), (record) => {
      record.machine.fingerprint = other;
      record.result.stdout = 'measured elsewhere\n';
    });
    const summary = await scratch.build([file]);
    assert.equal(summary.reused, 0);
    assert.equal(summary.run, 1, 'same hash, other machine: run again');
    assert.match(await scratch.read('machines.html'), /measured here/);
  });

  await t.test('--from-data shows it when this machine has none', async () => {
    await rm(path.join(scratch.dataDir, 'machines', fingerprint), {recursive: true});
    const summary = await scratch.build([file], {fromData: true});
    assert.equal(summary.run + summary.reused + summary.failed, 0);
    assert.match(await scratch.read('machines.html'), /measured elsewhere/);
  });

  await t.test('a foreign record copied into this machine\'s folder is run again, and the log says why', async () => {
    await mkdir(path.dirname(resultFile('machines', 'where')), {recursive: true});
    await writeFile(resultFile('machines', 'where'), await readFile(resultFile('machines', 'where', other), 'utf8'));
    const summary = await scratch.build([file]);
    assert.equal(summary.run, 1);
    assert.ok(scratch.lines.includes(`running machines/where (the stored result was measured on another machine (${other}))`), scratch.lines.join('\n'));
  });
});

test('the log says why each block is re-run', async (t) => {
  const file = await notebook('why', '```python run id=again\nprint(1)\n```\n');
  const stored = resultFile('why', 'again');
  assert.equal((await scratch.build([file])).run, 1);
  const rerunLine = () => scratch.lines.find((line) => line.startsWith('running why/again')) ?? scratch.lines.join('\n');

  await t.test('nothing changed: reused', async () => {
    assert.equal((await scratch.build([file])).reused, 1);
    assert.ok(scratch.lines.includes('reused  why/again'), scratch.lines.join('\n'));
  });

  await t.test('--rerun', async () => {
    await scratch.build([file], {rerun: true});
    assert.equal(rerunLine(), 'running why/again (--rerun)');
  });

  await t.test('the previous run failed', async () => {
    await editRecord(stored, (record) => {
      record.result = {...record.result, status: 'timed-out', reason: 'timed out after 1 s'};
    });
    await scratch.build([file]);
    assert.equal(rerunLine(), 'running why/again (previous run timed-out)');
  });

  // A different runtime also changes the hash; the stored record says what it was measured with.
  await t.test('the runtime\'s version changed', async () => {
    const {runtime} = await readRecord(stored);
    await editRecord(stored, (record) => {
      record.hash = 'measured-before';
      record.runtime.version = '2.7.18';
    });
    await scratch.build([file]);
    assert.equal(rerunLine(), `running why/again (python changed from 2.7.18 to ${runtime.version})`);
  });

  await t.test('the runtime\'s executable changed', async () => {
    const {runtime} = await readRecord(stored);
    await editRecord(stored, (record) => {
      record.hash = 'measured-before';
      record.runtime.executable = '/opt/old/bin/python3';
    });
    await scratch.build([file]);
    assert.equal(rerunLine(), `running why/again (python is now ${runtime.executable})`);
  });

  await t.test('the runtime\'s flags changed', async () => {
    await editRecord(stored, (record) => {
      record.hash = 'measured-before';
      record.runtime.flags = ['-X', 'dev'];
    });
    await scratch.build([file]);
    assert.match(rerunLine(), /^running why\/again \(python flags changed to /);
  });

  await t.test('the code changed', async () => {
    await writeFile(file, (await readFile(file, 'utf8')).replace('print(1)', 'print(2)'));
    await scratch.build([file]);
    assert.equal(rerunLine(), 'running why/again (code, options or parameters changed)');
  });
});

test('a chart or table whose blocks failed says so instead of drawing nothing', async () => {
  const body = [
    '```python bench id=works label=Works\ndef bench():\n    return 1\n```',
    '```python bench id=boom label=Boom\ndef bench():\n    raise ValueError("no luck")\n```',
    '```plot id=only-boom blocks=boom\nPlot.plot({marks: [Plot.barX(data, {y: "label", x: "median"})]})\n```',
    '```table id=both blocks=works,boom\n```'
  ].join('\n\n');
  const file = await notebook('dependents', body.replaceAll('bench id=', 'bench repeat=2 warmup=0 processes=1 min-sample=1ms id='));
  const summary = await scratch.build([file]);
  assert.equal(summary.failed, 1, scratch.lines.join('\n'));
  const html = await scratch.read('dependents.html');
  const plot = blockHtml(html, 'only-boom');
  assert.match(plot, /Depends on failed block boom \(exited with code 1\)\./);
  assert.doesNotMatch(plot, /<svg/);
  assert.match(blockHtml(html, 'boom'), /ValueError: no luck/, 'the failed block shows its error');
  const table = blockHtml(html, 'both');
  assert.match(table, /Depends on failed block boom/);
  assert.match(table, /<table/, 'the block that worked is still in the table');
  assert.doesNotMatch(table, /Depends on failed block works/);
});

test('blocks named like Object.prototype members build like any other', async () => {
  const body = ['```python run id=constructor\nprint("c")\n```', '```python run id=toString\nprint("t")\n```', '```table blocks=constructor,toString\n```'].join('\n\n');
  const file = await notebook('prototype', body);
  const summary = await scratch.build([file]);
  assert.equal(summary.run, 2, scratch.lines.join('\n'));
  assert.equal(summary.invalid, 0);
  const html = await scratch.read('prototype.html');
  assert.match(blockHtml(html, 'constructor'), /<pre class="output">c\n<\/pre>/);
  assert.match(blockHtml(html, 'toString'), /<pre class="output">t\n<\/pre>/);
});

test('a block whose runtime is missing is skipped with the reason, and nothing is stored', async () => {
  const source = '---\ntitle: Missing\n---\n\n```go run id=needs-go\npackage main\nfunc main() {}\n```\n';
  const {notebook: parsed} = parseNotebook(source, 'missing.md');
  const plan = planNotebook(parsed!, {runtimes: {}, missing: {go: 'go not found on PATH — install Go from https://go.dev/dl'}});
  const lines: string[] = [];
  const store = new ResultStore(scratch.dataDir);
  const machine = describeMachine();
  const decisions = decideRuns(plan, await readStored(plan, store, machine), machine);
  const {outcomes, counts} = await runPlan(plan, decisions, {store, machine, cacheDir: scratch.dir}, {onEvent: (event) => lines.push(formatEvent(event) ?? '')});
  assert.deepEqual(counts, {run: 0, reused: 0, failed: 0, skipped: 1});
  assert.deepEqual(outcomes['needs-go'], [{key: 'needs-go', skipped: 'go not found on PATH — install Go from https://go.dev/dl'}]);
  assert.deepEqual(lines, ['skipped missing/needs-go: go not found on PATH — install Go from https://go.dev/dl']);
  assert.deepEqual(await readdir(scratch.dataDir).then((names) => names.filter((name) => name === 'missing')), []);
});
