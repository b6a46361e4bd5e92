/**
 * `npm run bench:harness`: benchbook's figures next to an established tool's for the same work, to
 * check that our harnesses measure what those tools measure. A benchmark, not a test: it asserts
 * nothing and prints, per comparison, both medians and their ratio (ours / theirs), then the
 * run-to-run spread of each side over the repeats.
 *
 *   npm run bench:harness                    every comparison, 5 repeats
 *   npm run bench:harness -- python --repeats 3
 *
 * Each repeat runs ours then theirs, so drift on a shared machine falls on both.
 */
import {execFile} from 'node:child_process';
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {parseArgs, promisify} from 'node:util';
import {pathToFileURL} from 'node:url';
import {closeExecutors, executeRun} from '../../src/execute/index.js';
import {defaultMinTimeMs, defaultRuns, measurePrograms, variantOf} from '../../src/execute/process-mode.js';
import {withTimings, type MeasureSettings, type RunResult} from '../../src/model/index.js';
import {resolveRuntimes} from '../../src/runtimes/index.js';
import {medianOfSorted} from '../../src/measure/index.js';
import {defaultCacheDir, packageRoot} from '../../src/paths.js';
import type {PlannedRun} from '../../src/plan/types.js';

const run = promisify(execFile);

interface Comparison {
  /** What is measured, e.g. `process: python3 -c pass`. */
  name: string;
  /** The established tool, as invoked. */
  tool: string;
  /** Our median and minimum, ns. */
  ours(): Promise<Figure>;
  /** The tool's median and minimum, ns. */
  theirs(): Promise<Figure>;
  /** A line said after the table, from the tool's median: a figure that is not a ratio of ours to theirs. */
  note?(theirs: number): Promise<string>;
}

/** One side's figures from one repeat: the median, and the minimum (less sensitive to load). */
interface Figure {
  median: number;
  min: number;
}

const {values, positionals} = parseArgs({options: {repeats: {type: 'string', default: '5'}}, allowPositionals: true});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1) throw new TypeError(`--repeats must be a positive integer, got ${values.repeats}`);

const {found} = await resolveRuntimes(['python', 'pypy', 'go', 'c', 'rust', 'js']);
const work = await mkdtemp(path.join(os.tmpdir(), 'benchbook-harness-comparison-'));
const cacheDir = defaultCacheDir;

/** Inline settings as a notebook's defaults give them: processes chosen within the default 5 s budget. */
const inline: MeasureSettings = {repeat: 5, warmup: 1, processes: 3, minSampleMs: 10, fn: 'bench', design: 'auto', budgetMs: 5000};
/**
 * timeit's sample length: its autorange grows the loop count until one sample lasts at least 0.2 s.
 * Comparing harnesses means measuring alike; the notebooks' 10 ms default is what the quick profile
 * affords (docs/measurement.md says when to raise it).
 */
const timeitLike: MeasureSettings = {...inline, minSampleMs: 200};
/** hyperfine's defaults: 3 warm-up runs (as we pass them), at least 10 runs and 3 s. */
const hyperfineLike: MeasureSettings = {...inline, mode: 'process', warmup: 3, runs: 10, minTimeMs: 3000};

function planned(runtime: string, code: string, measure: MeasureSettings): PlannedRun {
  return {key: `cmp-${runtime}`, blockId: `cmp-${runtime}`, kind: 'bench', runtime, code, params: {}, measure, timeoutMs: 300_000, hash: 'bench'};
}

function medianOf(values: number[]): number {
  return medianOfSorted([...values].sort((a, b) => a - b));
}

function figureOf(values: number[]): Figure {
  return {median: medianOf(values), min: Math.min(...values)};
}

function samplesOf(result: RunResult): Figure {
  if (result.status !== 'ok' || !result.samples?.length) {
    throw new Error(`benchbook run ${result.status}: ${result.reason ?? ''}\n${result.stderr}`);
  }
  return figureOf(result.samples);
}

/**
 * Our process mode on an exact command line (the runner, warm-ups and stop rule of process mode,
 * without a block file), so both tools time the very same program.
 */
async function oursOnCommand(file: string, args: string[]): Promise<Figure> {
  const plannedRun = planned('command', '', hyperfineLike);
  const started = performance.now();
  const program = {
    command: {file, args, env: {}},
    workDir: work,
    remainingMs: () => started + plannedRun.timeoutMs - performance.now(),
    finish: (outcome: Parameters<typeof withTimings>[0]) => withTimings(outcome, performance.now() - started),
    release: async () => {}
  };
  const settings = {warmup: hyperfineLike.warmup ?? 0, runs: hyperfineLike.runs ?? defaultRuns, minTimeNs: (hyperfineLike.minTimeMs ?? defaultMinTimeMs) * 1e6};
  const [outcome] = await measurePrograms([variantOf(0, plannedRun, program)], [], settings, {cacheDir});
  return samplesOf(program.finish(outcome!));
}

async function hyperfine(command: string): Promise<Figure> {
  const exported = path.join(work, 'hyperfine.json');
  await run('hyperfine', ['-N', '--warmup', '3', '--style', 'none', '--export-json', exported, command], {maxBuffer: 1 << 24});
  const json = JSON.parse(await readFile(exported, 'utf8')) as {results: Array<{median: number; min: number}>};
  return {median: json.results[0]!.median * 1e9, min: json.results[0]!.min * 1e9};
}

/** `python -m timeit -v`: the median of its raw times per loop (it prints the best; we compare medians). */
async function timeit(python: string, setup: string, statement: string): Promise<Figure> {
  const {stdout} = await run(python, ['-m', 'timeit', '-v', '-s', setup, statement]);
  const raw = /raw times: (.*)/.exec(stdout)?.[1];
  // CPython says "N loops, best of K", PyPy's timeit "N loops, average of K".
  const loops = Number(/^(\d+) loops?, (?:best|average) of/m.exec(stdout)?.[1]);
  if (!raw || !loops) throw new Error(`unexpected timeit output:\n${stdout}`);
  const unit: Record<string, number> = {sec: 1e9, msec: 1e6, usec: 1e3, nsec: 1};
  const times = raw.split(',').map((item) => {
    const [value, name] = item.trim().split(/\s+/);
    return (Number(value) * unit[name!]!) / loops;
  });
  return figureOf(times);
}

/** pyperf's `timeit` (20 processes by default, each warmed up), in the project venv: the median of its values. */
async function pyperf(python: string, setup: string, statement: string): Promise<Figure> {
  const output = path.join(work, `pyperf-${Date.now()}.json`);
  await run(python, ['-m', 'pyperf', 'timeit', '--quiet', '-o', output, '-s', setup, statement], {maxBuffer: 1 << 24});
  const suite = JSON.parse(await readFile(output, 'utf8')) as {benchmarks: Array<{runs: Array<{values?: number[]}>}>};
  const values = suite.benchmarks.flatMap((benchmark) => benchmark.runs.flatMap((entry) => entry.values ?? [])).map((seconds) => seconds * 1e9);
  if (values.length === 0) throw new Error('pyperf wrote no values');
  return figureOf(values);
}

/**
 * Time per call of a native program's function by hyperfine alone: the program calls it `n` times,
 * hyperfine times the program at two counts, and the difference of the medians per extra call is
 * the call's time, start-up cancelled out.
 */
async function hyperfinePerCall(binary: string, low: number, high: number): Promise<Figure> {
  const a = await hyperfine(`${binary} ${low}`);
  const b = await hyperfine(`${binary} ${high}`);
  const perCall = (b.median - a.median) / (high - low);
  return {median: perCall, min: (b.min - a.min) / (high - low)};
}

/** Maximum resident set size of a command under GNU time, in bytes (as ns figures are: one number). */
async function timeMaxRss(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Figure> {
  const {stderr} = await run('/usr/bin/time', ['-v', file, ...args], {env: {...process.env, ...env}, maxBuffer: 1 << 24});
  const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]);
  if (!kib) throw new Error(`no maximum resident set size in:\n${stderr}`);
  return {median: kib * 1024, min: kib * 1024};
}

/** Our peak resident set of a run, in bytes. */
function rssOf(result: RunResult): Figure {
  const kib = result.memory?.maxRssKiB;
  if (result.status !== 'ok' || !kib) throw new Error(`benchbook run ${result.status}: ${result.reason ?? 'no memory figure'}\n${result.stderr}`);
  return {median: kib * 1024, min: kib * 1024};
}

/** `go test -bench` on a compiled test binary: the median ns/op of five 200 ms benchmark runs. */
async function goBench(binary: string): Promise<Figure> {
  const {stdout} = await run(binary, ['-test.run', '^$', '-test.bench', '^BenchmarkBench$', '-test.benchtime', '200ms', '-test.count', '5'], {cwd: work});
  const figures = [...stdout.matchAll(/BenchmarkBench\S*\s+\d+\s+([\d.]+) ns\/op/g)].map((match) => Number(match[1]));
  if (figures.length === 0) throw new Error(`unexpected go test output:\n${stdout}`);
  return figureOf(figures);
}

/** mitata's `measure` of the module's bench function, in a fresh node process: its p50 and min. */
async function mitata(modulePath: string): Promise<Figure> {
  const mitataUrl = pathToFileURL(path.join(packageRoot, 'node_modules/mitata/src/main.mjs')).href;
  const script = `const {measure} = await import(${JSON.stringify(mitataUrl)});
const {bench} = await import(${JSON.stringify(pathToFileURL(modulePath).href)});
const stats = await measure(bench);
console.log(JSON.stringify({p50: stats.p50, min: stats.min}));`;
  const {stdout} = await run(process.execPath, ['--input-type=module', '-e', script]);
  const stats = JSON.parse(stdout) as {p50: number; min: number};
  return {median: stats.p50, min: stats.min};
}

const comparisons: Comparison[] = [];
const python = found['python'];
if (python) {
  comparisons.push({
    name: 'process: python3 -c pass',
    tool: 'hyperfine -N --warmup 3',
    ours: () => oursOnCommand(python.executable, ['-c', 'pass']),
    theirs: () => hyperfine(`${python.executable} -c pass`)
  });
}
const c = found['c'];
if (c) {
  // About 5 ms of work: long enough to be more than start-up, short enough for many runs.
  const source = path.join(work, 'small.c');
  await writeFile(source, '#include <stdio.h>\nint main(void) { volatile unsigned s = 0; for (unsigned i = 0; i < 5000000; i++) s += i; printf("%u\\n", s); return 0; }\n');
  const binary = path.join(work, 'small');
  await run(c.executable, ['-O2', '-o', binary, source]);
  comparisons.push({
    name: 'process: small C program',
    tool: 'hyperfine -N --warmup 3',
    ours: () => oursOnCommand(binary, []),
    theirs: () => hyperfine(binary)
  });
}
if (python) {
  const cases = [
    {name: 'x * x', code: 'x = 12345\n\ndef bench():\n    return x * x\n'},
    {name: 'sum(range(1000))', code: 'def bench():\n    return sum(range(1000))\n'}
  ];
  for (const [index, item] of cases.entries()) {
    // timeit times the same call of the same function, imported from the same code.
    const module = `timed_${index}`;
    await writeFile(path.join(work, `${module}.py`), item.code);
    comparisons.push({
      name: `python inline: ${item.name}`,
      tool: 'python -m timeit',
      ours: async () => samplesOf(await executeRun(planned('python', item.code, timeitLike), python, {cacheDir})),
      theirs: () => timeit(python.executable, `import sys; sys.path.insert(0, ${JSON.stringify(work)}); from ${module} import bench`, 'bench()')
    });
  }
}
const go = found['go'];
if (go) {
  const code = [
    'package main',
    '',
    'var data = func() []int {',
    '\tvalues := make([]int, 1000)',
    '\tfor i := range values {',
    '\t\tvalues[i] = i',
    '\t}',
    '\treturn values',
    '}()',
    '',
    'func bench() int {',
    '\ttotal := 0',
    '\tfor _, value := range data {',
    '\t\ttotal += value * 3',
    '\t}',
    '\treturn total',
    '}',
    ''
  ].join('\n');
  const dir = path.join(work, 'gobench');
  await run('mkdir', ['-p', dir]);
  await writeFile(path.join(dir, 'go.mod'), 'module gobench\n\ngo 1.24\n');
  await writeFile(path.join(dir, 'block.go'), code);
  // b.Loop keeps the call and its result, as our harness does.
  await writeFile(path.join(dir, 'block_test.go'), 'package main\n\nimport "testing"\n\nfunc BenchmarkBench(b *testing.B) {\n\tfor b.Loop() {\n\t\tbench()\n\t}\n}\n');
  const binary = path.join(work, 'gobench.test');
  await run(go.executable, ['test', '-c', '-o', binary, '.'], {cwd: dir, env: {...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off'}});
  comparisons.push({
    name: 'go inline: sum of 1000 ints',
    tool: 'go test -bench (b.Loop)',
    ours: async () => samplesOf(await executeRun(planned('go', code, inline), go, {cacheDir})),
    theirs: () => goBench(binary)
  });
}
const js = found['js'];
if (js) {
  const code = 'const data = Array.from({length: 1000}, (_, i) => i);\n\nexport function bench() {\n  let total = 0;\n  for (let i = 0; i < data.length; i++) total += data[i] * 3;\n  return total;\n}\n';
  const modulePath = path.join(work, 'block.mjs');
  await writeFile(modulePath, code);
  comparisons.push({
    name: 'js inline: sum of 1000 numbers',
    tool: 'mitata measure (p50)',
    ours: async () => samplesOf(await executeRun(planned('js', code, inline), js, {cacheDir})),
    theirs: () => mitata(modulePath)
  });
}

if (python) {
  // The notebooks' default settings (processes chosen within 5 s), against timeit and pyperf at their own.
  const code = 'def bench():\n    return sum(range(1000))\n';
  await writeFile(path.join(work, 'timed_default.py'), code);
  const setup = `import sys; sys.path.insert(0, ${JSON.stringify(work)}); from timed_default import bench`;
  comparisons.push({
    name: 'python defaults: sum(range(1000))',
    tool: 'python -m timeit',
    ours: async () => samplesOf(await executeRun(planned('python', code, inline), python, {cacheDir})),
    theirs: () => timeit(python.executable, setup, 'bench()')
  });
  const venvPython = path.join(defaultCacheDir, 'venv', 'bin', 'python');
  comparisons.push({
    name: 'python defaults vs pyperf',
    tool: 'pyperf timeit (20 processes)',
    ours: async () => samplesOf(await executeRun(planned('python', code, inline), python, {cacheDir})),
    theirs: () => pyperf(venvPython, setup, 'bench()')
  });
  // Memory: the peak resident set of a block holding 100 MB, against /usr/bin/time -v on the same work.
  const holder = 'data = bytearray(100 * 2**20)\n\ndef bench():\n    return len(data)\n';
  const script = path.join(work, 'hold.py');
  await writeFile(script, 'data = bytearray(100 * 2**20)\nprint(len(data))\n');
  comparisons.push({
    name: 'memory: python holding 100 MB',
    tool: '/usr/bin/time -v (max RSS)',
    ours: async () => rssOf(await executeRun(planned('python', holder, {...inline, design: 'fixed', processes: 1}), python, {cacheDir})),
    theirs: () => timeMaxRss(python.executable, [script])
  });
}
const pypy = found['pypy'];
if (pypy) {
  // A loop PyPy's JIT compiles: timeit run by PyPy itself, whose autorange samples after the JIT warmed up.
  const code = 'def bench():\n    total = 0\n    for i in range(1000):\n        total += i * 3\n    return total\n';
  await writeFile(path.join(work, 'timed_pypy.py'), code);
  comparisons.push({
    name: 'pypy inline: a loop of 1000',
    tool: 'pypy3 -m timeit',
    ours: async () => samplesOf(await executeRun(planned('pypy', code, inline), pypy, {cacheDir})),
    theirs: () => timeit(pypy.executable, `import sys; sys.path.insert(0, ${JSON.stringify(work)}); from timed_pypy import bench`, 'bench()')
  });
}
if (c) {
  // The same function as a C bench block, and as a program hyperfine times at two call counts.
  const body = 'static volatile unsigned seed = 7;\nunsigned bench(void) {\n  unsigned s = seed;\n  for (unsigned i = 0; i < 1000; i++) s = s * 1664525u + 1013904223u;\n  return s;\n}\n';
  const source = path.join(work, 'percall.c');
  await writeFile(source, `#include <stdio.h>\n#include <stdlib.h>\n${body}int main(int argc, char **argv) {\n  unsigned long n = strtoul(argv[1], 0, 10), s = 0;\n  for (unsigned long i = 0; i < n; i++) s += bench();\n  printf("%lu\\n", s);\n  return 0;\n}\n`);
  const binary = path.join(work, 'percall');
  await run(c.executable, ['-O2', '-o', binary, source]);
  comparisons.push({
    name: 'c inline: 1000 LCG steps',
    tool: 'hyperfine per call (2 counts)',
    ours: async () => samplesOf(await executeRun(planned('c', body, inline), c, {cacheDir})),
    theirs: () => hyperfinePerCall(binary, 20_000, 200_000)
  });
}
const rust = found['rust'];
if (rust) {
  const body = 'static SEED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(7);\n\nfn bench() -> u32 {\n    let mut s = SEED.load(std::sync::atomic::Ordering::Relaxed);\n    for _ in 0..1000 {\n        s = s.wrapping_mul(1664525).wrapping_add(1013904223);\n    }\n    s\n}\n';
  const dir = path.join(work, 'percall-rs');
  await run('mkdir', ['-p', path.join(dir, 'src')]);
  await writeFile(path.join(dir, 'Cargo.toml'), '[package]\nname = "percall"\nversion = "0.0.0"\nedition = "2021"\n\n[workspace]\n');
  await writeFile(path.join(dir, 'src', 'main.rs'), `${body}\nfn main() {\n    let n: u64 = std::env::args().nth(1).unwrap().parse().unwrap();\n    let mut s: u64 = 0;\n    for _ in 0..n {\n        s = s.wrapping_add(std::hint::black_box(bench()) as u64);\n    }\n    println!("{s}");\n}\n`);
  await run(rust.executable, ['build', '--release', '--offline', '--quiet'], {cwd: dir, env: {...process.env, RUSTFLAGS: ''}});
  comparisons.push({
    name: 'rust inline: 1000 LCG steps',
    tool: 'hyperfine per call (2 counts)',
    ours: async () => samplesOf(await executeRun(planned('rust', body, inline), rust, {cacheDir})),
    theirs: () => hyperfinePerCall(path.join(dir, 'target', 'release', 'percall'), 20_000, 200_000)
  });
}
if (go) {
  // Memory of a Go block that holds nothing, against the very program benchbook ran (its harness
  // binary, found in a cache of its own) under /usr/bin/time -v: the same process, two ways to read
  // its peak. A bare program without the harness holds less, which is the harness's own footprint,
  // not an error of the reading: that is said apart, after the table.
  const goCode = 'func bench() int { return 1 }\n';
  const goCache = path.join(work, 'go-cache');
  const harnessBinary = async () => {
    const builds = (await readdir(path.join(goCache, 'build'))).filter((name) => name.startsWith('go-'));
    if (builds.length !== 1) throw new Error(`expected one Go build in ${goCache}, found ${builds.join(', ') || 'none'}`);
    return path.join(goCache, 'build', builds[0]!, 'block');
  };
  // As many samples as our run took (its trace's length), so both hold the same trace.
  let samplesTaken = 0;
  const harnessEnv = () => ({
    BENCHBOOK_RESULT: path.join(work, 'go-result.json'),
    BENCHBOOK_MIN_SAMPLE_NS: String(inline.minSampleMs * 1e6),
    BENCHBOOK_REPEAT: String(inline.repeat),
    BENCHBOOK_WARMUP: String(inline.warmup),
    ...(samplesTaken > 0 ? {BENCHBOOK_MAX_SAMPLES: String(samplesTaken), BENCHBOOK_MIN_NS: String(600e9), BENCHBOOK_MAX_NS: String(600e9)} : {})
  });
  comparisons.push({
    name: 'memory: go holding nothing',
    tool: '/usr/bin/time -v, same binary',
    ours: async () => {
      const result = await executeRun(planned('go', goCode, {...inline, design: 'fixed', processes: 1}), go, {cacheDir: goCache});
      samplesTaken = result.traces?.[0]?.length ?? 0;
      return rssOf(result);
    },
    theirs: async () => timeMaxRss(await harnessBinary(), [], harnessEnv()),
    note: async (harness) => {
      const dir = path.join(work, 'goempty');
      await run('mkdir', ['-p', dir]);
      await writeFile(path.join(dir, 'go.mod'), 'module goempty\n\ngo 1.24\n');
      await writeFile(path.join(dir, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc bench() int { return 1 }\n\nfunc main() { fmt.Println(bench()) }\n');
      const binary = path.join(work, 'goempty-bin');
      await run(go.executable, ['build', '-o', binary, '.'], {cwd: dir, env: {...process.env, GOTOOLCHAIN: 'local', GOWORK: 'off'}});
      const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      const bare = await timeMaxRss(binary, []);
      return `go harness footprint: the harness binary holds ${mib(harness)} under /usr/bin/time -v, a bare Println program ${mib(bare.median)} (the harness's timers, traces and JSON writer)`;
    }
  });
}

const selected = comparisons.filter((item) => positionals.length === 0 || positionals.some((word) => item.name.includes(word)));
const figures = new Map<Comparison, {ours: Figure[]; theirs: Figure[]}>();
try {
  console.log(`benchbook vs established tools: median of ${repeats} repeats each, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`);
  for (const item of selected) {
    const entry = {ours: [] as Figure[], theirs: [] as Figure[]};
    figures.set(item, entry);
    for (let i = 0; i < repeats; i++) {
      entry.ours.push(await item.ours());
      entry.theirs.push(await item.theirs());
    }
    const ours = medianOf(entry.ours.map((figure) => figure.median));
    const theirs = medianOf(entry.theirs.map((figure) => figure.median));
    const shown = item.name.startsWith('memory') ? (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB` : formatNs;
    console.log(`${item.name.padEnd(34)} ours ${shown(ours).padStart(9)}   ${item.tool.padEnd(29)} ${shown(theirs).padStart(9)}   ratio ${(ours / theirs).toFixed(2)}`);
  }
  for (const [item, entry] of figures) if (item.note) console.log(`\n${await item.note(medianOf(entry.theirs.map((figure) => figure.median)))}`);
  console.log(`\nrun-to-run spread of the ${repeats} medians, (max - min) / median; and the ratio of the minima (less sensitive to load):`);
  for (const [item, entry] of figures) {
    const medians = (side: Figure[]) => side.map((figure) => figure.median);
    const minimum = (side: Figure[]) => Math.min(...side.map((figure) => figure.min));
    const minRatio = (minimum(entry.ours) / minimum(entry.theirs)).toFixed(2);
    console.log(`${item.name.padEnd(34)} spread ours ${spread(medians(entry.ours)).padStart(6)} theirs ${spread(medians(entry.theirs)).padStart(6)}   min ratio ${minRatio}`);
  }
} finally {
  await closeExecutors();
  await rm(work, {recursive: true, force: true});
}

function spread(values: number[]): string {
  return `${(((Math.max(...values) - Math.min(...values)) / medianOf(values)) * 100).toFixed(1)}%`;
}

function formatNs(ns: number): string {
  if (ns < 1e3) return `${ns.toPrecision(3)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toPrecision(3)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toPrecision(3)} ms`;
  return `${(ns / 1e9).toPrecision(3)} s`;
}
