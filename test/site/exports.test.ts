import assert from 'node:assert/strict';
import test from 'node:test';
import {fullOutputName} from '../../src/render/output.js';
import {CSV_COLUMNS, pageExports, serializeCsv, serializeHyperfine, serializeJson} from '../../src/write/index.js';
import {benchResult, failedResult, makeNotebook, outcomesOf} from '../render/fixture.js';

const markdown = ['```python', 'a', '```', '', '```python', 'b', '```', '', '```python', 'c', '```', ''].join('\n');

function input() {
  const notebook = makeNotebook(markdown, [
    {kind: 'bench', id: 'loop', runtime: 'python', options: {label: 'for, "loop"'}},
    {kind: 'bench', id: 'cli', runtime: 'python', options: {label: 'whole program'}},
    {kind: 'bench', id: 'broken', runtime: 'python'}
  ]);
  const loop = benchResult('loop', 2500);
  loop.result = {...loop.result, samples: [2400, 2500, 2600]};
  const cli = benchResult('cli', 20e6, {sweep: {name: 'size', value: 4}});
  cli.result = {
    ...cli.result,
    samples: [20e6, 22e6, 21e6],
    process: {wallNs: [20e6, 22e6, 21e6], userNs: [15e6, 16e6, 17e6], sysNs: [3e6, 3e6, 3e6], maxRssKiB: [9000, 9100, 9050]}
  };
  return {notebook, profile: 'quick', outcomes: outcomesOf(loop, cli, failedResult('broken', 'bench', 'boom'))};
}

test('serializeCsv: one row per measured run, in ns, quoted where needed', () => {
  const lines = serializeCsv(input()).split('\n');
  assert.equal(lines[0], CSV_COLUMNS.join(','));
  assert.equal(lines[0], 'key,block,label,runtime,version,param,value,n,min,median,mean,max,stddev,ci_low,ci_high,unit');
  assert.equal(lines[1], 'loop,loop,"for, ""loop""",python,3.11.7,,,30,2250,2500,2625,3250,250,2450,2550,ns');
  assert.match(lines[2]!, /^cli@size=4,cli,whole program,python,3\.11\.7,size,4,30,/);
  assert.deepEqual(lines.slice(3), [''], 'the failed run has no row; the file ends with a newline');
});

test('serializeJson: every run with stats and raw samples, without host name or executable path', () => {
  const text = serializeJson(input());
  const document = JSON.parse(text) as {notebook: string; profile: string; runs: Array<Record<string, unknown>>};
  assert.equal(document.notebook, 'demo');
  assert.deepEqual(document.runs.map((run) => [run['key'], run['status']]), [
    ['loop', 'ok'],
    ['cli@size=4', 'ok'],
    ['broken', 'failed']
  ]);
  assert.deepEqual(document.runs[0]!['samples'], [2400, 2500, 2600]);
  assert.deepEqual(document.runs[0]!['runtime'], {name: 'python', version: '3.11.7'});
  assert.equal((document.runs[0]!['stats'] as {median: number}).median, 2500);
  assert.equal(document.runs[2]!['reason'], 'exited with code 1');
  assert.doesNotMatch(text, /bench-host|\/usr\/bin\/python3/);
  assert.equal(serializeJson(input()), text, 'deterministic');
});

test('serializeJson: the sizes of the build and of each run, and this run beside the article, as the page shows them', () => {
  const base = input();
  base.notebook.article = {title: 'A', machine: 'Ryzen 5 3600', method: 'perf stat', sizes: {size: {value: 50, note: 'too long here'}}};
  base.notebook.params = {size: [1, 4], n: 7};
  base.notebook.blocks[0]!.code = 'def bench():\n    return {{n}}';
  const document = JSON.parse(serializeJson({...base, params: {size: [1, 4], n: 7}})) as {
    params: Record<string, unknown>;
    comparison: {article: {machine: string; method: string; sizes: Record<string, unknown>; sizeNotes: Record<string, string>}; thisRun: {profile: string; differingSizes: string[]; method: string}};
    runs: Array<{key: string; params?: Record<string, unknown>}>;
  };
  assert.deepEqual(document.params, {size: [1, 4], n: 7});
  assert.deepEqual(document.runs.find((run) => run.key === 'loop')!.params, {n: 7});
  assert.deepEqual(document.runs.find((run) => run.key === 'cli@size=4')!.params, {size: 4});
  assert.equal(document.comparison.article.machine, 'Ryzen 5 3600');
  assert.equal(document.comparison.article.sizes['size'], 50);
  assert.deepEqual(document.comparison.article.sizeNotes, {size: 'too long here'});
  assert.deepEqual(document.comparison.thisRun.differingSizes, ['size']);
  assert.match(document.comparison.thisRun.method, /^1 result times calls of a function inside a running process/);
});

test("serializeHyperfine: process-mode runs in hyperfine's schema, in seconds; other runs skipped", () => {
  const parsed = JSON.parse(serializeHyperfine(input())!) as {results: Array<Record<string, unknown>>};
  assert.equal(parsed.results.length, 1);
  const [result] = parsed.results;
  assert.deepEqual(Object.keys(result!), ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times', 'exit_codes', 'parameters']);
  assert.equal(result!['command'], 'whole program (size=4)');
  assert.deepEqual(result!['times'], [0.02, 0.022, 0.021]);
  assert.equal(result!['median'], 0.021);
  assert.equal(result!['min'], 0.02);
  assert.equal(result!['max'], 0.022);
  assert.ok(Math.abs((result!['mean'] as number) - 0.021) < 1e-12);
  assert.ok(Math.abs((result!['stddev'] as number) - 0.001) < 1e-12, 'n - 1 standard deviation');
  assert.ok(Math.abs((result!['user'] as number) - 0.016) < 1e-12);
  assert.ok(Math.abs((result!['system'] as number) - 0.003) < 1e-12);
  assert.deepEqual(result!['exit_codes'], [0, 0, 0]);
  assert.deepEqual(result!['parameters'], {size: '4'});
});

test('pageExports: JSON and CSV always, hyperfine JSON only with process-mode runs', () => {
  assert.deepEqual(pageExports(input()).map((file) => file.href), ['demo.json', 'demo.csv', 'demo.hyperfine.json']);
  const inline = input();
  delete inline.outcomes['cli'];
  assert.deepEqual(pageExports(inline).map((file) => file.href), ['demo.json', 'demo.csv']);
  assert.equal(serializeHyperfine(inline), undefined);
});

test('pageExports: the whole output of each run its page cuts, under the name the page links to', () => {
  const flood = input();
  const run = {...benchResult('log', 1), kind: 'run' as const};
  const stdout = 'x'.repeat(100) + '\n'.repeat(300);
  run.result = {...run.result, stdout, stderr: 'short warning'};
  const failed = failedResult('broken', 'bench', 'Traceback\n'.repeat(250));
  flood.notebook.blocks.push({...flood.notebook.blocks[0]!, kind: 'run', id: 'log'});
  flood.outcomes['log'] = [{key: 'log', stored: run}];
  flood.outcomes['broken'] = [{key: 'broken', stored: benchResult('broken', 10), failure: failed}];
  const files = pageExports(flood);
  const outputs = files.filter((file) => file.href.endsWith('.txt'));
  assert.deepEqual(
    outputs.map((file) => [file.href, file.label]),
    [
      ['demo.broken.latest.stderr.txt', 'the whole stderr of broken'],
      ['demo.log.stdout.txt', 'the whole stdout of for, "loop"']
    ]
  );
  assert.equal(outputs[1]!.content, stdout, 'the file holds every byte, untouched');
  assert.equal(fullOutputName('demo', 'pool@workers=4', 'stdout'), 'demo.pool_workers_4.stdout.txt');
});
