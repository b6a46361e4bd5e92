import {gunzipSync} from 'node:zlib';
import type {ResultsTool} from './types.js';

/** One benchmark of another tool's results file, its times in nanoseconds. */
export interface ToolBenchmark {
  /** The name the tool gives it: pytest-benchmark's `name`, pyperf's name, hyperfine's `command`, `BenchmarkX-8`. */
  name: string;
  /** Other names it is found by: pytest-benchmark's `fullname`, a go benchmark without its `-GOMAXPROCS` suffix. */
  aliases: string[];
  medianNs: number;
  minNs: number;
  maxNs: number;
  /** Samples summarised: rounds (pytest-benchmark), values (pyperf), runs (hyperfine), result lines (go). */
  samples: number;
  /** Why its figures cannot be used (a pyperf benchmark of bytes, no values), when they cannot. */
  problem?: string;
}

/** What a results file holds: the tool that wrote it and its benchmarks, in file order. */
export interface ToolResults {
  tool: ResultsTool;
  /** How the file is called in messages: `pytest-benchmark JSON`, `go test -bench output`. */
  kind: string;
  benchmarks: ToolBenchmark[];
}

/** The file formats read, as messages name them. */
const expected = "pytest-benchmark's --benchmark-json, pyperf's -o (JSON, or .json.gz), hyperfine's --export-json, or the output of go test -bench";

/**
 * Reads the results file of pytest-benchmark (`--benchmark-json`), pyperf (`-o`, also gzipped),
 * hyperfine (`--export-json`) or `go test -bench` (its text output, or `go test -json`'s), telling the
 * tool from the content. Pure; times come back in ns. `{problem}` says why the file is none of them.
 *
 * @param content the file's bytes (or text)
 */
export function readToolResults(content: Uint8Array | string): ToolResults | {problem: string} {
  let text: string;
  try {
    text = typeof content === 'string' ? content : decode(content);
  } catch (error) {
    return {problem: `it cannot be decompressed (${(error as Error).message})`};
  }
  text = text.replace(/^\uFEFF/, '');
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      const output = goJsonOutput(text);
      if (output !== undefined) return readGo(output, 'go test -json output');
      return {problem: `it is not valid JSON (${(error as Error).message}); expected ${expected}`};
    }
    return readJson(document);
  }
  return readGo(text, 'go test -bench output');
}

function decode(bytes: Uint8Array): string {
  // pyperf writes a gzipped file when its name ends in .gz.
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
  return new TextDecoder('utf-8').decode(gzip ? gunzipSync(bytes) : bytes);
}

function readJson(document: unknown): ToolResults | {problem: string} {
  const object = isObject(document) ? document : {};
  if (Array.isArray(object['results']) && object['results'].every((entry) => isObject(entry) && typeof entry['command'] === 'string')) {
    return {tool: 'hyperfine', kind: 'hyperfine JSON', benchmarks: object['results'].map((entry) => hyperfineBenchmark(entry as Record<string, unknown>))};
  }
  const benchmarks = object['benchmarks'];
  if (Array.isArray(benchmarks) && benchmarks.every(isObject)) {
    if (benchmarks.every((entry) => isObject(entry['stats']) && typeof entry['name'] === 'string')) {
      return {tool: 'pytest-benchmark', kind: 'pytest-benchmark JSON', benchmarks: benchmarks.map(pytestBenchmark)};
    }
    if (benchmarks.every((entry) => Array.isArray(entry['runs']))) {
      const common = isObject(object['metadata']) ? object['metadata'] : {};
      return {tool: 'pyperf', kind: 'pyperf JSON', benchmarks: benchmarks.map((entry) => pyperfBenchmark(entry, common))};
    }
  }
  return {problem: `it is JSON, but not ${expected}`};
}

function hyperfineBenchmark(entry: Record<string, unknown>): ToolBenchmark {
  const times = numbers(entry['times']);
  return summary(String(entry['command']), [], times.length > 0 ? times : undefined, {median: entry['median'], min: entry['min'], max: entry['max']}, 1e9, times.length || 1);
}

function pytestBenchmark(entry: Record<string, unknown>): ToolBenchmark {
  const stats = entry['stats'] as Record<string, unknown>;
  const fullname = typeof entry['fullname'] === 'string' ? [entry['fullname']] : [];
  const rounds = typeof stats['rounds'] === 'number' ? stats['rounds'] : numbers(stats['data']).length;
  return summary(String(entry['name']), fullname, undefined, {median: stats['median'], min: stats['min'], max: stats['max']}, 1e9, rounds);
}

/** A pyperf benchmark: metadata shared by the suite sits at its top, the rest in each benchmark; values are seconds per loop iteration. */
function pyperfBenchmark(entry: Record<string, unknown>, common: Record<string, unknown>): ToolBenchmark {
  const metadata = {...common, ...(isObject(entry['metadata']) ? entry['metadata'] : {})};
  const name = typeof metadata['name'] === 'string' ? metadata['name'] : '';
  const values = (entry['runs'] as unknown[]).flatMap((run) => (isObject(run) ? numbers(run['values']) : []));
  const unit = metadata['unit'] ?? 'second';
  if (unit !== 'second') return {...empty(name), problem: `its values are in ${String(unit)}, not seconds: it measured no time`};
  if (values.length === 0) return {...empty(name), problem: 'it has no values (only calibration or warm-up runs)'};
  return summary(name, [], values, {}, 1e9, values.length);
}

/** `go test -bench` lines, `BenchmarkName-8   1000000   1052 ns/op   ...`, grouped by name (several with `-count`). */
function readGo(text: string, kind: string): ToolResults | {problem: string} {
  const byName = new Map<string, number[]>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^(Benchmark\S*)\s+\d+\s+(\d+(?:\.\d+)?(?:e[+-]?\d+)?) ns\/op\b/.exec(line.trim());
    if (!match) continue;
    const times = byName.get(match[1]!) ?? [];
    times.push(Number(match[2]));
    byName.set(match[1]!, times);
  }
  if (byName.size === 0) return {problem: `it is neither JSON nor go test -bench output (no \`BenchmarkX  N  T ns/op\` line); expected ${expected}`};
  const benchmarks = [...byName].map(([name, times]) => {
    // `-8` is GOMAXPROCS, added when it is above 1: the benchmark is found without it too.
    const bare = name.replace(/-\d+$/, '');
    return summary(name, bare === name ? [] : [bare], times, {}, 1, times.length);
  });
  return {tool: 'go test', kind, benchmarks};
}

/** The `Output` of `go test -json` events, when the text is that: one JSON object per line. */
function goJsonOutput(text: string): string | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const outputs: string[] = [];
  for (const line of lines) {
    try {
      const event = JSON.parse(line) as unknown;
      if (!isObject(event) || typeof event['Action'] !== 'string') return undefined;
      if (typeof event['Output'] === 'string') outputs.push(event['Output']);
    } catch {
      return undefined;
    }
  }
  return outputs.join('');
}

/**
 * A benchmark's median, min and max in ns: from its samples when the file has them (the median of
 * the samples), else from the figures the tool computed.
 */
function summary(name: string, aliases: string[], samples: number[] | undefined, figures: Record<string, unknown>, toNs: number, count: number): ToolBenchmark {
  if (samples && samples.length > 0) {
    const sorted = [...samples].sort((a, b) => a - b);
    const middle = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    return {name, aliases, medianNs: median * toNs, minNs: sorted[0]! * toNs, maxNs: sorted.at(-1)! * toNs, samples: count};
  }
  const [median, min, max] = [figures['median'], figures['min'], figures['max']].map((value) => (typeof value === 'number' && Number.isFinite(value) ? value * toNs : Number.NaN)) as [number, number, number];
  if (!Number.isFinite(median)) return {...empty(name), aliases, problem: 'it has no median time'};
  return {name, aliases, medianNs: median, minNs: Number.isFinite(min) ? min : median, maxNs: Number.isFinite(max) ? max : median, samples: count};
}

function empty(name: string): ToolBenchmark {
  return {name, aliases: [], medianNs: Number.NaN, minNs: Number.NaN, maxNs: Number.NaN, samples: 0};
}

function numbers(value: unknown): number[] {
  return Array.isArray(value) ? value.filter((item): item is number => typeof item === 'number' && Number.isFinite(item)) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
