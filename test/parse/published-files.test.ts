/**
 * Published figures read from the results files of other tools: each file is made here by the real
 * tool (pytest-benchmark and pyperf from the project venv, hyperfine and go from the machine), then
 * read into the notebook's `published:` figures, in ns per unit of work.
 */
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {gzipSync} from 'node:zlib';
import {formatMessage, parseNotebook, readPublishedFiles, readToolResults, type Notebook} from '../../src/parse/index.js';
import {venvDir} from '../../src/runtimes/python.js';
import {nearestPath} from '../../src/system/nearest-path.js';
import {runCli} from '../cli/helpers.js';

const run = promisify(execFile);
const python = path.join(venvDir, 'bin', 'python');

/** Why a tool cannot be run here, or undefined when it can. */
function missing(tool: 'venv' | 'hyperfine' | 'go'): string | undefined {
  if (tool === 'venv') return existsSync(python) ? undefined : `the project venv is missing (${python}): run npm run setup`;
  const found = (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, tool)));
  return found ? undefined : `${tool} is not on PATH: run npm run setup`;
}

const notebookText = (published: string[]): string =>
  ['---', 'title: Published from files', 'published:', ...published.map((line) => `  ${line}`), '---', '', '```python bench id=sum', 'def bench(): return sum(range(100))', '```', ''].join('\n');

/** Parses a notebook written into `dir` and reads the files its published figures name, from the disk. */
async function readNotebookIn(dir: string, published: string[]): Promise<{notebook: Notebook; messages: string[]}> {
  const file = path.join(dir, 'published.md');
  await writeFile(file, notebookText(published));
  const parsed = parseNotebook(await readFile(file, 'utf8'), file);
  assert.deepEqual(parsed.messages.map(formatMessage), []);
  const read = await readPublishedFiles(parsed.notebook!, {readFile: (name) => readFile(name), nearest: nearestPath});
  return {notebook: read.notebook, messages: read.messages.map(formatMessage)};
}

const close = (actual: number | undefined, expected: number, what: string): void =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= Math.abs(expected) * 1e-9, `${what}: ${actual} ns, expected ${expected} ns`);

test('published figures from files made by the real tools', {timeout: 240_000}, async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'benchbook-published-'));
  t.after(() => rm(dir, {recursive: true, force: true}));
  const results = path.join(dir, 'results');
  await mkdir(results);

  await t.test('pytest-benchmark --benchmark-json: its median, by name or fullname', {skip: missing('venv')}, async () => {
    await writeFile(
      path.join(dir, 'test_sum.py'),
      ['import pytest', '', 'def test_sum(benchmark):', '    benchmark(lambda: sum(range(100)))', '', '@pytest.mark.parametrize("n", [10, 1000])', 'def test_range(benchmark, n):', '    benchmark(lambda: sum(range(n)))', ''].join('\n')
    );
    const out = path.join(results, 'pytest.json');
    await run(python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--benchmark-min-rounds=5', '--benchmark-max-time=0.02', '--benchmark-warmup=off', `--benchmark-json=${out}`, 'test_sum.py'], {cwd: dir});
    const file = JSON.parse(await readFile(out, 'utf8')) as {benchmarks: Array<{name: string; stats: {median: number; min: number; max: number; rounds: number}}>};
    const stats = (name: string) => file.benchmarks.find((benchmark) => benchmark.name === name)!.stats;
    const {notebook, messages} = await readNotebookIn(dir, ['sum: {from: results/pytest.json, benchmark: test_sum}', 'sum@n=1: {from: results/pytest.json, benchmark: "test_sum.py::test_range[1000]", per: 1000}']);
    assert.deepEqual(messages, []);
    const figure = notebook.published['sum']!;
    close(figure.median, stats('test_sum').median * 1e9, 'median');
    close(figure.min, stats('test_sum').min * 1e9, 'min');
    close(figure.max, stats('test_sum').max * 1e9, 'max');
    assert.equal(figure.from?.tool, 'pytest-benchmark');
    assert.match(figure.note!, /^pytest-benchmark results\/pytest\.json, test_sum: median of \d+ rounds$/);
    close(notebook.published['sum@n=1']!.median, (stats('test_range[1000]').median * 1e9) / 1000, 'per: 1000 divides');
  });

  await t.test('pyperf -o (and .json.gz): the median of its values, as pyperf computes it', {skip: missing('venv')}, async () => {
    for (const [name, out] of [['sum100', 'pyperf.json'], ['sum1000', 'pyperf.json.gz']] as const) {
      await run(python, ['-m', 'pyperf', 'timeit', '-q', '-p', '2', '-n', '3', '-w', '1', '-l', '1000', '--name', name, '-o', path.join(results, out), `sum(range(${name.slice(3)}))`], {cwd: dir});
    }
    // pyperf's own API is the reference: the median it computes from the same file.
    const {stdout} = await run(python, ['-c', 'import pyperf, sys\nfor f, n in (("pyperf.json", "sum100"), ("pyperf.json.gz", "sum1000")):\n    print(pyperf.BenchmarkSuite.load(f).get_benchmark(n).median())'], {cwd: results});
    const [median100, median1000] = stdout.trim().split('\n').map(Number) as [number, number];
    const {notebook, messages} = await readNotebookIn(dir, ['sum: {from: results/pyperf.json, benchmark: sum100}', 'sum@n=2: {from: results/pyperf.json.gz, benchmark: sum1000}']);
    assert.deepEqual(messages, []);
    close(notebook.published['sum']!.median, median100 * 1e9, 'pyperf median');
    close(notebook.published['sum@n=2']!.median, median1000 * 1e9, 'pyperf median, gzipped file');
    assert.equal(notebook.published['sum']!.from?.samples, 6, '2 processes x 3 values; warm-ups left out');
  });

  await t.test('hyperfine --export-json: the median of a command, by command or --command-name', {skip: missing('hyperfine')}, async () => {
    const out = path.join(results, 'hyperfine.json');
    await run('hyperfine', ['-N', '--runs', '5', '--warmup', '1', '--style', 'none', '--export-json', out, '-n', 'no-op', 'true', 'sleep 0.002']);
    const file = JSON.parse(await readFile(out, 'utf8')) as {results: Array<{command: string; median: number; min: number; max: number}>};
    const {notebook, messages} = await readNotebookIn(dir, ['sum: {from: results/hyperfine.json, benchmark: no-op}', 'sum@n=3: {from: results/hyperfine.json, benchmark: sleep 0.002}']);
    assert.deepEqual(messages, []);
    close(notebook.published['sum']!.median, file.results[0]!.median * 1e9, 'hyperfine median');
    close(notebook.published['sum']!.max, file.results[0]!.max * 1e9, 'hyperfine max');
    close(notebook.published['sum@n=3']!.median, file.results[1]!.median * 1e9, 'hyperfine median of sleep');
  });

  await t.test('go test -bench output: the median ns/op over -count lines, with or without -GOMAXPROCS', {skip: missing('go')}, async () => {
    const module = path.join(dir, 'gobench');
    await mkdir(module);
    await writeFile(path.join(module, 'go.mod'), 'module example.com/gobench\n\ngo 1.21\n');
    await writeFile(
      path.join(module, 'sum_test.go'),
      ['package gobench', '', 'import "testing"', '', 'var sink int', '', 'func BenchmarkSum(b *testing.B) {', '\tfor i := 0; i < b.N; i++ {', '\t\ts := 0', '\t\tfor j := 0; j < 100; j++ {', '\t\t\ts += j', '\t\t}', '\t\tsink = s', '\t}', '}', ''].join('\n')
    );
    const {stdout} = await run('go', ['test', '-run', '^$', '-bench', '.', '-benchtime', '2000x', '-count', '3'], {cwd: module, env: {...process.env, GOFLAGS: '-mod=mod'}});
    await writeFile(path.join(results, 'go-bench.txt'), stdout);
    const times = [...stdout.matchAll(/^BenchmarkSum\S*\s+\d+\s+([\d.]+) ns\/op/gm)].map((match) => Number(match[1])).sort((a, b) => a - b);
    assert.equal(times.length, 3, stdout);
    const full = /^(BenchmarkSum\S*)\s/m.exec(stdout)![1]!;
    const {notebook, messages} = await readNotebookIn(dir, ['sum: {from: results/go-bench.txt, benchmark: BenchmarkSum}', `sum@n=4: {from: results/go-bench.txt, benchmark: ${full}, per: 100}`]);
    assert.deepEqual(messages, []);
    close(notebook.published['sum']!.median, times[1]!, 'go median over 3 lines');
    close(notebook.published['sum']!.min, times[0]!, 'go min');
    close(notebook.published['sum@n=4']!.median, times[1]! / 100, 'go median per iteration');
  });

  await t.test('a missing file, a wrong one and an unknown name are located errors', async () => {
    await writeFile(path.join(results, 'notes.json'), '{"hello": 1}\n');
    await writeFile(path.join(results, 'hf.json'), '{"results": [{"command": "sleep 1", "median": 1.0, "min": 1.0, "max": 1.0, "times": [1.0]}]}\n');
    const {messages} = await readNotebookIn(dir, [
      'sum: {from: results/hf.jsno, benchmark: sleep 1}',
      'sum@n=1: {from: results/notes.json, benchmark: x}',
      'sum@n=2: {from: results/hf.json, benchmark: sleep 2}'
    ]);
    const file = path.join(dir, 'published.md');
    assert.deepEqual(messages, [
      `${file}:4:15: error: published \`sum\`: cannot use results/hf.jsno: there is no such file beside the notebook: did you mean results/hf.json? [published-file]`,
      `${file}:5:19: error: published \`sum@n=1\`: cannot use results/notes.json: it is JSON, but not pytest-benchmark's --benchmark-json, pyperf's -o (JSON, or .json.gz), hyperfine's --export-json, or the output of go test -bench [published-file]`,
      `${file}:6:47: error: published \`sum@n=2\`: no benchmark \`sleep 2\` in results/hf.json (hyperfine JSON): did you mean \`sleep 1\`? (benchmarks in it: sleep 1) [unknown-benchmark]`
    ]);
  });

  await t.test('npm run report reads them: the page shows the figure, a bad file stops the notebook', {skip: missing('venv')}, async () => {
    const page = path.join(dir, 'page.md');
    const text = notebookText(['sum: {from: results/pytest.json, benchmark: test_sum}']).replace('```\n', '```\n\n```table columns=label,median,published,ratio\n```\n');
    await writeFile(page, text);
    const good = await runCli(['report', page, '--data', path.join(dir, 'data'), '--out', path.join(dir, 'out')]);
    assert.equal(good.code, 0, good.stderr);
    const html = await readFile(path.join(dir, 'out', 'page.html'), 'utf8');
    assert.match(html, /Published[\s\S]*Measured ÷ published/, "the table shows the figure read from the file, and the ratio");
    await writeFile(page, text.replace('benchmark: test_sum', 'benchmark: test_summ'));
    const bad = await runCli(['report', page, '--data', path.join(dir, 'data'), '--out', path.join(dir, 'out')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /page\.md:4:47: error: published `sum`: no benchmark `test_summ` in results\/pytest\.json \(pytest-benchmark JSON\): did you mean `test_sum`\?.*\[unknown-benchmark\]/);
  });
});

test('readToolResults: the formats told apart by content', async (t) => {
  await t.test('go test -json events, and a name that fits several -cpu suffixes', async () => {
    const events = ['{"Action":"start","Package":"p"}', '{"Action":"output","Package":"p","Output":"BenchmarkX-2   \\t 1000\\t  10.5 ns/op\\n"}', '{"Action":"output","Package":"p","Output":"BenchmarkX-4   \\t 1000\\t  6.5 ns/op\\n"}'].join('\n');
    const results = readToolResults(events);
    assert.ok(!('problem' in results));
    assert.equal(results.kind, 'go test -json output');
    assert.deepEqual(results.benchmarks.map((benchmark) => [benchmark.name, benchmark.aliases, benchmark.medianNs]), [['BenchmarkX-2', ['BenchmarkX'], 10.5], ['BenchmarkX-4', ['BenchmarkX'], 6.5]]);
    const parsed = parseNotebook(notebookText(['sum: {from: go.txt, benchmark: BenchmarkX}']), 'n.md');
    const read = await readPublishedFiles(parsed.notebook!, {readFile: async () => events});
    assert.match(formatMessage(read.messages[0]!), /`BenchmarkX` names 2 benchmarks of go\.txt \(go test -json output\): BenchmarkX-2, BenchmarkX-4; write one of them \[unknown-benchmark\]$/);
  });

  await t.test('gzip, bytes, a pyperf benchmark that is no time, files that are none of them', () => {
    const pyperf = JSON.stringify({version: '1.0', metadata: {unit: 'byte'}, benchmarks: [{metadata: {name: 'mem'}, runs: [{values: [100]}]}]});
    const read = readToolResults(gzipSync(pyperf));
    assert.ok(!('problem' in read));
    assert.equal(read.tool, 'pyperf');
    assert.equal(read.benchmarks[0]!.problem, 'its values are in byte, not seconds: it measured no time');
    assert.match((readToolResults('not json at all') as {problem: string}).problem, /^it is neither JSON nor go test -bench output/);
    assert.match((readToolResults('{"results": [') as {problem: string}).problem, /^it is not valid JSON/);
  });
});
