import assert from 'node:assert/strict';
import {readFile, writeFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {defaultCacheDir, packageRoot} from '../../src/paths.js';
import {buildReport, type ReportEvent} from '../../src/report.js';
import {readTemplates, writeOutputFile} from '../../src/write/index.js';
import {ResultStore} from '../../src/store/index.js';
import {describeMachine} from '../../src/store/machine.js';
import {scratchProject} from '../helpers/build.js';
import {fixture} from '../helpers/paths.js';

/** The HTML of one block of a page, found by its id. */
function blockHtml(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `no block ${id}`);
  const open = html.lastIndexOf('<', start);
  const next = html.indexOf('<div class="block', start);
  const figure = html.indexOf('<figure', start + 1);
  const end = Math.min(...[next, figure].filter((index) => index > 0), html.length);
  return html.slice(open, end);
}

/** What the queued events promised and what then happened, by key. */
function promisedAndDone(events: ReportEvent[]): Array<{key: string; promised: boolean; reused: boolean}> {
  const queued = events.filter((event) => event.type === 'queued');
  return queued.map((event) => ({
    key: event.key,
    promised: event.type === 'queued' && event.reuse,
    reused: events.some((other) => other.type === 'reused' && other.key === event.key) && !events.some((other) => other.type === 'running' && other.key === event.key)
  }));
}

test('the queued reuse decision is what then happens', async (t) => {
  const scratch = await scratchProject();
  t.after(() => scratch.dispose());
  const copy = path.join(scratch.dir, 'decisions.md');
  await writeFile(copy, await readFile(fixture('run/decisions.md'), 'utf8'));
  const run = async (): Promise<ReportEvent[]> => {
    const seen: ReportEvent[] = [];
    await buildReport(
      {notebooks: [copy], dataDir: scratch.dataDir, outputDir: scratch.outputDir, cacheDir: defaultCacheDir},
      {
        readNotebook: (file) => readFile(file, 'utf8'),
        readTemplates: () => readTemplates(path.join(packageRoot, 'templates')),
        writeOutput: async (name, content) => {
          await writeOutputFile(scratch.outputDir, name, content);
        },
        log: () => {},
        onEvent: (event) => seen.push(event)
      }
    );
    return seen;
  };

  const first = await run();
  assert.ok(first.some((event) => event.type === 'done' && event.key === 'one'), 'the first build measures');

  await t.test('a result from another machine is queued to run, and runs', async () => {
    const store = new ResultStore(scratch.dataDir);
    const machine = describeMachine();
    const stored = (await store.read('decisions', machine.fingerprint, 'alone'))!;
    // A file copied in from elsewhere: in this machine's folder, but measured on another machine.
    await writeFile(store.fileOf('decisions', machine.fingerprint, 'alone'), JSON.stringify({...stored, machine: {...stored.machine, fingerprint: 'elsewhere000'}}));
    const seen = await run();
    const alone = promisedAndDone(seen).find((entry) => entry.key === 'alone')!;
    assert.deepEqual(alone, {key: 'alone', promised: false, reused: false});
    const running = seen.find((event) => event.type === 'running' && event.key === 'alone');
    assert.match(running?.type === 'running' ? (running.why ?? '') : '', /measured on another machine \(elsewhere000\)/);
    for (const entry of promisedAndDone(seen)) assert.equal(entry.promised, entry.reused, `${entry.key}: queued said reuse=${entry.promised}`);
  });

  await t.test('a group is measured whole when one member must re-run, and the queue says so for both', async () => {
    const store = new ResultStore(scratch.dataDir);
    const machine = describeMachine();
    const stored = (await store.read('decisions', machine.fingerprint, 'two'))!;
    await writeFile(store.fileOf('decisions', machine.fingerprint, 'two'), JSON.stringify({...stored, machine: {...stored.machine, fingerprint: 'elsewhere000'}}));
    const seen = await run();
    const entries = promisedAndDone(seen);
    assert.deepEqual(
      entries.filter((entry) => entry.key !== 'alone'),
      [
        {key: 'one', promised: false, reused: false},
        {key: 'two', promised: false, reused: false}
      ]
    );
    for (const entry of entries) assert.equal(entry.promised, entry.reused, `${entry.key}: queued said reuse=${entry.promised}`);
    const why = seen.find((event) => event.type === 'running' && event.key === 'one');
    assert.match(why?.type === 'running' ? (why.why ?? '') : '', /with its group/);
  });
});

test('a result measured once, then skipped because its runtime is gone, reads stale everywhere', async (t) => {
  const scratch = await scratchProject();
  const saved = process.env['BENCHBOOK_PYTHON'];
  t.after(async () => {
    if (saved === undefined) delete process.env['BENCHBOOK_PYTHON'];
    else process.env['BENCHBOOK_PYTHON'] = saved;
    await scratch.dispose();
  });
  const notebook = fixture('run/stale.md');
  const first = await scratch.build([notebook]);
  assert.equal(first.run, 1, scratch.lines.join('\n'));
  const measuredOn = new Date().toISOString().slice(0, 10);
  const fresh = await scratch.read('stale.html');
  assert.doesNotMatch(fresh, /Stale:|\(stale: |rests on results that are not current/, 'a fresh result is not stale');

  // The runtime is gone: the probe cache sees BENCHBOOK_PYTHON change and probes again.
  process.env['BENCHBOOK_PYTHON'] = path.join(scratch.dir, 'no-such-python3');
  const second = await scratch.build([notebook]);
  assert.equal(second.skipped, 1, scratch.lines.join('\n'));
  const html = await scratch.read('stale.html');

  const box = blockHtml(html, 'py');
  assert.match(box, /Not measured: .*no-such-python3/);
  assert.match(box, new RegExp(`Stale: the result shown was measured ${measuredOn} on machine \\w+, not in this build`));
  const table = blockHtml(html, 'medians');
  assert.match(table, new RegExp(`Python \\(stale: measured ${measuredOn}\\)`));
  assert.match(table, /Drawn from stale results of py, not measured in this build/);
  const claim = blockHtml(html, 'py-quick');
  assert.match(claim, new RegExp(`py was measured ${measuredOn} on \\w+, not in this build \\(.*no-such-python3`));
});

test('each build of unchanged code adds to its history; from the third, the interval includes the spread between runs', async (t) => {
  const scratch = await scratchProject();
  t.after(() => scratch.dispose());
  const copy = path.join(scratch.dir, 'runs.md');
  await writeFile(copy, await readFile(fixture('run/runs.md'), 'utf8'));
  const store = new ResultStore(scratch.dataDir);
  const {fingerprint} = describeMachine();
  const read = async () => (await store.read('runs', fingerprint, 'py'))!;

  await scratch.build([copy]);
  assert.equal((await read()).history, undefined, 'a first run has no history');
  await scratch.build([copy], {rerun: true});
  const second = await read();
  assert.equal(second.history?.length, 1);
  assert.equal(second.stats?.runs, undefined, 'two runs do not estimate a spread');
  assert.match(await scratch.read('runs.html'), /interval from this run&#39;s processes only: the spread between runs needs 3 runs of this code here \(2 so far\)/);

  await scratch.build([copy], {rerun: true});
  const third = await read();
  assert.equal(third.history?.length, 2);
  assert.equal(third.stats?.runs?.count, 3);
  const {ci, runs} = third.stats!;
  assert.ok(ci[0] <= runs!.ownCi[0] && runs!.ownCi[1] <= ci[1], 'the interval holds the run\'s own');
  assert.deepEqual(third.history!.map((item) => item.median), [second.history![0]!.median, second.stats!.median]);
  assert.match(await scratch.read('runs.html'), /interval includes the spread between 3 runs of this code here \(±\d+\.\d%\); this run alone: /);

  await writeFile(copy, (await readFile(copy, 'utf8')).replace('sum(range(200))', 'sum(range(300))'));
  await scratch.build([copy]);
  const changed = await read();
  assert.equal(changed.history, undefined, 'changed code starts a new history');
  assert.equal(changed.stats?.runs, undefined);
});

