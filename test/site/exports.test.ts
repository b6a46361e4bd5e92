import assert from 'node:assert/strict';
import test from 'node:test';
import {fullOutputName} from '../../src/render/output.js';
import {
  CSV_EXTRA_COLUMNS,
  HYPERFINE_CSV_COLUMNS,
  pageExports,
  serializeCsv,
  serializeHyperfine,
  serializeJson,
  serializeRunBenchbook,
  serializeRunCsv,
  serializeRunHyperfine,
  serializeRunMarkdown
} from '../../src/write/index.js';
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

const close = (actual: unknown, expected: number, message?: string): void => assert.ok(Math.abs((actual as number) - expected) <= Math.abs(expected) * 1e-12, message ?? `${String(actual)} ≈ ${expected}`);

test("serializeCsv: hyperfine's columns first, in seconds, then benchbook's; quoted where needed", () => {
  const lines = serializeCsv(input()).split('\n');
  assert.equal(lines[0], [...HYPERFINE_CSV_COLUMNS, 'parameter_size', ...CSV_EXTRA_COLUMNS].join(','));
  assert.equal(lines[0], 'command,mean,stddev,median,user,system,min,max,parameter_size,key,block,runtime,version,n,ci_low,ci_high,unit');
  assert.equal(lines[1], '"for, ""loop""",0.000002625,2.5e-7,0.0000025,,,0.00000225,0.00000325,,loop,loop,python,3.11.7,30,0.00000245,0.00000255,s');
  assert.match(lines[2]!, /^whole program \(size=4\),0\.021,0\.002,0\.02,0\.016,0\.003,0\.018,0\.026,4,cli@size=4,cli,python,3\.11\.7,30,/);
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

test("serializeHyperfine: every measured run in hyperfine's schema, in seconds, inline blocks too", async (t) => {
  const {results} = JSON.parse(serializeHyperfine(input())) as {results: Array<Record<string, unknown>>};
  assert.deepEqual(results.map((result) => result['command']), ['for, "loop"', 'whole program (size=4)'], 'the failed run is left out');

  await t.test('an inline block: samples are per-call times, no CPU accounting', () => {
    const [inline] = results;
    assert.deepEqual(Object.keys(inline!), ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times', 'exit_codes']);
    assert.deepEqual(inline!['times'], [2.4e-6, 2.5e-6, 2.6e-6]);
    close(inline!['median'], 2.5e-6);
    close(inline!['mean'], 2.625e-6);
    assert.equal(inline!['user'], null);
    assert.equal(inline!['system'], null);
    assert.deepEqual(inline!['exit_codes'], [0, 0, 0]);
  });

  await t.test('a process-mode block: runs, CPU times and memory, with its parameter', () => {
    const process = results[1]!;
    assert.deepEqual(Object.keys(process), ['command', 'mean', 'stddev', 'median', 'user', 'system', 'min', 'max', 'times', 'memory_usage_byte', 'exit_codes', 'parameters']);
    assert.deepEqual(process['times'], [0.02, 0.022, 0.021]);
    close(process['median'], 0.02);
    close(process['stddev'], 0.002);
    close(process['user'], 0.016);
    close(process['system'], 0.003);
    assert.deepEqual(process['memory_usage_byte'], [9000 * 1024, 9100 * 1024, 9050 * 1024]);
    assert.deepEqual(process['parameters'], {size: '4'});
  });
});

test('pageExports: benchbook JSON, CSV and hyperfine JSON beside every page', () => {
  assert.deepEqual(pageExports(input()).map((file) => file.href), ['demo.json', 'demo.csv', 'demo.hyperfine.json']);
  const empty = input();
  empty.outcomes = {};
  assert.equal(serializeHyperfine(empty), '{\n  "results": []\n}\n');
});

test('run-wide exports: hyperfine JSON, CSV, Markdown and benchbook JSON over several notebooks', async (t) => {
  const other = input();
  other.notebook = {...other.notebook, name: 'other'};

  await t.test('--export-json: one results list, commands named by notebook when there are several', () => {
    const one = JSON.parse(serializeRunHyperfine([input()])) as {results: Array<{command: string}>};
    assert.deepEqual(one.results.map((result) => result.command), ['for, "loop"', 'whole program (size=4)']);
    const two = JSON.parse(serializeRunHyperfine([input(), other])) as {results: Array<{command: string}>};
    assert.deepEqual(two.results.map((result) => result.command), ['demo: for, "loop"', 'demo: whole program (size=4)', 'other: for, "loop"', 'other: whole program (size=4)']);
  });

  await t.test('--export-benchbook-json: each page export, and the baseline', () => {
    const document = JSON.parse(serializeRunBenchbook([input(), other], {name: 'main', changes: []})) as {generator: string; notebooks: Array<{notebook: string}>; baseline: {name: string}};
    assert.equal(document.generator, 'benchbook');
    assert.deepEqual(document.notebooks.map((notebook) => notebook.notebook), ['demo', 'other']);
    assert.equal(document.baseline.name, 'main');
  });

  await t.test('--export-csv: the page columns, with the notebook before the key', () => {
    const lines = serializeRunCsv([input(), other]).split('\n');
    assert.equal(lines[0], 'command,mean,stddev,median,user,system,min,max,parameter_size,notebook,key,block,runtime,version,n,ci_low,ci_high,unit');
    assert.deepEqual(lines.slice(1, -1).map((line) => line.split(',').at(-9)), ['demo', 'demo', 'other', 'other']);
  });

  await t.test("--export-markdown: hyperfine's table per notebook, with one unit and relative speeds", () => {
    const near = input();
    near.outcomes['cli'] = outcomesOf(benchResult('cli', 25_000))['cli']!;
    assert.equal(
      serializeRunMarkdown([near]),
      [
        '| Command | Mean [µs] | Min [µs] | Max [µs] | Relative | Median [µs] | 95% CI [µs] | n | Runtime |',
        '|:---|---:|---:|---:|---:|---:|---:|---:|:---|',
        '| `for, "loop"` | 2.63 ± 0.250 | 2.25 | 3.25 | 1.00 | 2.50 | 2.45 – 2.55 | 30 | 3.11.7 |',
        '| `whole program` | 26.3 ± 2.50 | 22.5 | 32.5 | 10.00 ± 1.35 | 25.0 | 24.5 – 25.5 | 30 | 3.11.7 |',
        ''
      ].join('\n')
    );
    // Times more than a thousandfold apart: each cell has its unit.
    assert.equal(
      serializeRunMarkdown([input()]).split('\n')[3],
      '| `whole program (size=4)` | 21.0 ms ± 2.00 ms | 18.0 ms | 26.0 ms | 8000.00 ± 1077.50 | 20.0 ms | 19.6 ms – 20.4 ms | 30 | 3.11.7 |'
    );
    const two = serializeRunMarkdown([input(), other], {name: 'main', changes: []});
    assert.match(two, /^### demo\n\n\| Command .* \| vs main \|\n/);
    assert.match(two, /\n\n### other\n\n\| Command /);
  });
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
