/**
 * Property tests of the parse and plan stages against generated and mutated notebooks: whatever the
 * text, `parseNotebook` answers with located messages, never an exception, and `planNotebook` never
 * throws on a notebook without fatal messages.
 *
 * Deterministic by default (fixed seed); `FUZZ_SEED=<n>` or `FUZZ_SEED=random` and `FUZZ_RUNS=<n>`
 * explore further. A failure prints the seed and the shrunk notebook to reproduce it.
 */
import assert from 'node:assert/strict';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import fc from 'fast-check';
import {parseNotebook} from '../../src/parse/index.js';
import type {NotebookMessage, ParseResult} from '../../src/parse/types.js';
import {planNotebook} from '../../src/plan/index.js';
import type {RuntimeInfo} from '../../src/model/index.js';
import {packageRoot} from '../../src/paths.js';
import {fixture} from '../helpers/paths.js';

const seed = process.env.FUZZ_SEED === 'random' ? Date.now() : Number(process.env.FUZZ_SEED ?? 20240607);
const runs = Number(process.env.FUZZ_RUNS ?? 1500);
const settings = {seed, numRuns: runs, endOnFailure: true};

// Planning needs runtimes but never starts them: fake ones keep the test free of process starts.
const runtimes: Record<string, RuntimeInfo> = Object.fromEntries(
  ['python', 'go', 'c', 'js', 'ts'].map((name) => [name, {name, executable: `/usr/bin/${name}`, version: '1.0'}])
);

/** Every rule id the parser emits is kebab-case. */
const rulePattern = /^[a-z]+(?:-[a-z]+)*$/;

/** Checks the contract of one parse (and plan) of `source`; throws an assertion error naming what broke. */
function checkNotebook(source: string): ParseResult {
  const file = 'fuzz/notebook.md';
  const result = parseNotebook(source, file);
  const lineCount = source.split(/\r\n|\r|\n/).length;
  for (const message of result.messages) checkMessage(message, file, lineCount);
  assert.ok(result.notebook, 'a notebook is always returned for display');
  if (!result.messages.some((message) => message.fatal)) {
    const plan = planNotebook(result.notebook, {runtimes});
    const keys = new Set<string>();
    for (const run of plan.runs) {
      assert.ok(!keys.has(run.key), `two runs share the store key ${run.key}`);
      keys.add(run.key);
      assert.ok(Number.isFinite(run.timeoutMs) && run.timeoutMs > 0 && run.timeoutMs <= 2 ** 31 - 1, `timeout ${run.timeoutMs}`);
      for (const name of ['repeat', 'warmup', 'processes'] as const) {
        assert.ok(Number.isSafeInteger(run.measure[name]) && run.measure[name] >= 0, `${name} ${run.measure[name]}`);
      }
      assert.ok(Number.isFinite(run.measure.minSampleMs), `min-sample ${run.measure.minSampleMs}`);
      assert.match(run.hash, /^[0-9a-f]{16}$/);
    }
  }
  return result;
}

function checkMessage(message: NotebookMessage, file: string, lineCount: number): void {
  const where = JSON.stringify(message);
  assert.equal(message.file, file, where);
  assert.ok(Number.isInteger(message.line) && message.line >= 1 && message.line <= lineCount + 1, `line out of the file: ${where}`);
  assert.ok(Number.isInteger(message.column) && message.column >= 1, `column < 1: ${where}`);
  assert.match(message.rule, rulePattern, where);
  assert.notEqual(message.rule, 'internal-error', `the parser hit a bug: ${where}`);
  assert.ok(message.message.trim() !== '', where);
  assert.equal(typeof message.fatal, 'boolean', where);
}

// ---------------------------------------------------------------------------------------------
// Generators

const weirdText = fc.oneof(
  fc.string({unit: 'grapheme', maxLength: 12}),
  fc.string({unit: 'binary', maxLength: 12}),
  fc.constantFrom('', ' ', '\t', 'é', '日本語', '🦀', '\u0000', '\u202e', '\ufeff', '"', "'", '`', '{{n}}', '---', '```', '~~~')
);

const scalarValue = fc.oneof(
  fc.constantFrom('0', '-1', '1', '5', '1.5', '1e999', '99999999999999999999999', '0x10', 'NaN', '.inf', '~', 'null', 'true'),
  fc.constantFrom('1..3', '3..1', '-2..2', '1..1000000000', '1..99999999999999999999', '5..5', '0..0'),
  fc.constantFrom('"a b"', "'x'", '"unterminated', '[]', '[1, 2]', '[1, 1]', '[1, "1"]', '[a, [b]]', '{}', '{a: 1}', '&x 1', '*x', '!!binary aGk='),
  fc.integer().map(String),
  fc.double().map(String),
  weirdText.map((text) => JSON.stringify(text))
);

const yamlKey = fc.oneof(
  fc.constantFrom('title', 'description', 'article', 'params', 'profiles', 'measure', 'n', 'workers', 'quick', 'full'),
  fc.constantFrom('repeat', 'warmup', 'processes', 'min-sample', 'timeout', 'memory', 'url', 'author', 'date'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'bad name', '', '?', '- x', '"quoted"', '[a]', '{b: 1}'),
  weirdText
);

/** YAML-ish lines, well-formed and not, at random depths. */
const yamlLine = fc.oneof(
  fc.tuple(fc.integer({min: 0, max: 3}), yamlKey, fc.option(scalarValue, {nil: undefined})).map(
    ([depth, key, value]) => `${'  '.repeat(depth)}${key}:${value === undefined ? '' : ` ${value}`}`
  ),
  fc.tuple(fc.integer({min: 0, max: 3}), scalarValue).map(([depth, value]) => `${'  '.repeat(depth)}- ${value}`),
  fc.constantFrom('? complex', ': no key', '\tindented: with a tab', '  - nested: [1, {a: b}]', 'params: {workers: []}', 'x: |', '  block text'),
  weirdText
);

/** Plausible front matter: well-formed keys with random values, so deeper checks are reached. */
const structuredFrontMatter = fc
  .record({
    title: fc.option(fc.oneof(scalarValue, fc.constant('A title')), {nil: undefined}),
    params: fc.option(fc.dictionary(fc.constantFrom('n', 'workers', 'size', 'mode', '__proto__', 'constructor'), scalarValue, {maxKeys: 4}), {nil: undefined}),
    profiles: fc.option(
      fc.dictionary(fc.constantFrom('quick', 'full', '__proto__'), fc.dictionary(fc.constantFrom('n', 'workers', 'measure', 'zzz'), scalarValue, {maxKeys: 3}), {maxKeys: 2}),
      {nil: undefined}
    ),
    measure: fc.option(fc.dictionary(fc.constantFrom('repeat', 'warmup', 'processes', 'min-sample', 'timeout', 'memory', 'speed'), scalarValue, {maxKeys: 3}), {nil: undefined})
  })
  .map(({title, params, profiles, measure}) => {
    const lines: string[] = [];
    if (title !== undefined) lines.push(`title: ${title}`);
    const section = (name: string, entries: Record<string, string> | undefined) => {
      if (entries === undefined) return;
      lines.push(`${name}:`);
      for (const [key, value] of Object.entries(entries)) lines.push(`  ${key}: ${value}`);
    };
    section('params', params);
    if (profiles !== undefined) {
      lines.push('profiles:');
      for (const [name, overrides] of Object.entries(profiles)) {
        lines.push(`  ${name}:`);
        for (const [key, value] of Object.entries(overrides)) lines.push(`    ${key}: ${value}`);
      }
    }
    section('measure', measure);
    return lines.join('\n');
  });

const frontMatter = fc.oneof(
  {weight: 3, arbitrary: structuredFrontMatter},
  {weight: 2, arbitrary: fc.array(yamlLine, {maxLength: 8}).map((lines) => lines.join('\n'))},
  {weight: 1, arbitrary: fc.string({unit: 'grapheme', maxLength: 60})}
);

const optionName = fc.oneof(
  fc.constantFrom('id', 'label', 'repeat', 'warmup', 'processes', 'min-sample', 'fn', 'timeout', 'memory', 'sweep', 'blocks', 'columns', 'caption', 'alt'),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'colour', '', 'ID', 'x-y'),
  fc.string({unit: 'grapheme-ascii', minLength: 1, maxLength: 6})
);

const optionValue = fc.oneof(
  fc.constantFrom('0', '1', '3', '-1', '1.5', '99999999999999999999', '1e3', '', '10ms', '2s', '1m', '0s', '99999999999999m', '1.5us', '1µs'),
  fc.constantFrom('512MB', '4GiB', '1G', '0MB', '99999999999TB', '1.5GB', '12', 'lots'),
  fc.constantFrom('n', 'workers', 'size', 'mode', 'missing', 'a', 'b', 'a,b', 'a,,b', ' ', 'bench', 'constructor', '__proto__'),
  fc.constantFrom('"with space"', "'single'", '"unterminated', "'", '"', '""', '=', '=='),
  fc.string({unit: 'grapheme', maxLength: 8}).filter((text) => !/\s/.test(text))
);

const option = fc.tuple(optionName, optionValue).map(([name, value]) => `${name}=${value}`);

const infoString = fc.tuple(
  fc.constantFrom('python', 'py', 'go', 'c', 'js', 'javascript', 'ts', 'typescript', 'plot', 'table', 'bash', 'rust', '', 'PYTHON', '{python}'),
  fc.constantFrom('bench', 'run', '', 'bnch', 'plot', 'table', 'bench run'),
  fc.array(fc.oneof(option, fc.constantFrom('id=a', 'id=b', 'sweep=workers', 'sweep=n', 'blocks=a,b', 'blocks=zzz', 'stray')), {maxLength: 5}),
  fc.array(weirdText, {maxLength: 1})
).map(([lang, kind, options, extra]) => [lang, kind, ...options, ...extra].filter((part) => part !== '').join(' '));

const codeLine = fc.oneof(
  fc.constantFrom('def bench():', '    return sum(range({{n}}))', 'func bench() int { return {{workers}} }', 'export function bench() { return 1 }'),
  fc.constantFrom('{{missing}}', '{{ n }}', '{{constructor}}', '{{__proto__}}', '{{toString}}', '```', '~~~', '    ```python bench', '---'),
  weirdText
);

const fence = fc.constantFrom('```', '~~~', '````', '  ```', '> ```', '- ```', '    ```');

const block = fc.tuple(fence, infoString, fc.array(codeLine, {maxLength: 4}), fc.boolean()).map(
  ([open, info, code, closed]) => {
    const marker = open.trim().replace(/^[>-]\s*/, '');
    return [`${open}${info}`, ...code, ...(closed ? [open.replace(/[`~]+$/, marker)] : [])].join('\n');
  }
);

const prose = fc.oneof(
  fc.constantFrom('# Heading', 'Some prose with `code` and *emphasis*.', '> a quote', '- a list item', '| a | b |\n|---|---|\n| 1 | 2 |', '[^1]: a footnote', '<div>html</div>'),
  weirdText
);

/** A whole notebook: maybe front matter, then prose and blocks interleaved. */
const notebook = fc
  .tuple(
    fc.oneof({weight: 5, arbitrary: frontMatter.map((yaml) => `---\n${yaml}\n---\n`)}, {weight: 1, arbitrary: fc.constantFrom('', '---\n', '---\ntitle: x\n', '--- \ntitle: x\n---\n')}),
    fc.array(fc.oneof({weight: 2, arbitrary: block}, {weight: 1, arbitrary: prose}), {maxLength: 6})
  )
  .map(([head, parts]) => `${head}\n${parts.join('\n\n')}\n`);

/** Mostly values from `good`, sometimes one from `edgy`. */
const mostly = (good: string[], edgy: string[]) =>
  fc.oneof({weight: 5, arbitrary: fc.constantFrom(...good)}, {weight: 1, arbitrary: fc.constantFrom(...edgy)});

/** A notebook that is almost right: valid structure with edge-case values, so planning is reached. */
const nearlyValid = fc
  .tuple(
    mostly(['1', '100', '0', '-5', '"text"', 'true'], ['99999999999999999999', '1e308', '[]']),
    mostly(['[1, 2, 4]', '1..3', '3..1', '[1]', '-2..2', '[a, b]'], ['[]', '[1, 1]', '[1, "1"]', '["a b", "a_b"]', '1..1000000000', '1..99999999999999999999', '5']),
    fc.option(mostly(['quick: {n: 10}', 'full: {workers: [8]}', 'quick: {measure: {repeat: 2}}', 'quick:', 'full: {workers: 4}'], ['full: {workers: []}', 'full: {workers: 1..100000000}', 'quick: {zzz: 1}', '__proto__: {n: 1}']), {nil: undefined}),
    fc.option(mostly(['repeat: 3', 'min-sample: 1us', 'memory: 512MB', 'warmup: 0', 'timeout: 2s'], ['timeout: 99999999999999m', 'processes: 99999999999999999999', 'timeout: 1e3s', 'memory: 1B']), {nil: undefined}),
    fc.array(
      fc.tuple(
        fc.constantFrom('python', 'go', 'c', 'js', 'ts'),
        fc.constantFrom('bench', 'run'),
        mostly(['block'], ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'a.b-c_d']),
        fc.uniqueArray(
          mostly(
            ['sweep=workers', 'repeat=2', 'timeout=2s', 'min-sample=1ms', 'processes=1', 'warmup=0', 'fn=run_it', 'label="A label"', 'memory=512MB', 'memory=1.5GiB', 'memory=4G'],
            ['sweep=n', 'repeat=99999999999999999999', 'timeout=99999999999999m', 'timeout=1e3s', 'min-sample=99999999999m', 'memory=0MB', 'memory=99999999999TB', 'memory=12']
          ),
          {maxLength: 3, selector: (option) => option.split('=')[0]}
        ),
        fc.constantFrom('def bench():\n    return {{n}}', 'return {{workers}} + {{constructor}} + {{__proto__}} + {{toString}}', 'print({{ n }})', '')
      ),
      {maxLength: 4}
    ),
    fc.array(fc.constantFrom('```plot\nPlot.plot({marks: []})\n```', '```table\n```', '```plot blocks=block-1\n```', '```table columns=label,median\n```'), {maxLength: 2})
  )
  .map(([n, workers, profile, measure, blocks, results]) => {
    const head = ['---', 'title: Nearly valid', 'params:', `  n: ${n}`, `  workers: ${workers}`];
    if (profile !== undefined) head.push('profiles:', `  ${profile}`);
    if (measure !== undefined) head.push('measure:', `  ${measure}`);
    head.push('---', '');
    const body = blocks.map(([lang, kind, id, options, code], index) =>
      [`\`\`\`${lang} ${kind} id=${id === 'block' ? `block-${index}` : id} ${options.join(' ')}`, code, '```'].join('\n')
    );
    return `${head.join('\n')}\n${[...body, ...results].join('\n\n')}\n`;
  });

/** Edits applied to a notebook's text: what a careless editor, a bad merge or a broken download does. */
type Mutation = (text: string, at: number, payload: string) => string;
const mutations: Record<string, Mutation> = {
  'delete a span': (text, at, payload) => text.slice(0, at) + text.slice(at + payload.length + 1),
  'insert text': (text, at, payload) => text.slice(0, at) + payload + text.slice(at),
  'duplicate a line': (text, at) => {
    const lines = text.split('\n');
    const index = at % Math.max(1, lines.length);
    lines.splice(index, 0, lines[index] ?? '');
    return lines.join('\n');
  },
  'drop a line': (text, at) => {
    const lines = text.split('\n');
    lines.splice(at % Math.max(1, lines.length), 1);
    return lines.join('\n');
  },
  'CRLF line endings': (text) => text.replace(/\n/g, '\r\n'),
  'CR line endings': (text) => text.replace(/\n/g, '\r'),
  'truncate': (text, at) => text.slice(0, at),
  'huge value': (text, at) => text.slice(0, at) + 'x'.repeat(20_000) + text.slice(at),
  'byte order mark': (text) => `\ufeff${text}`,
  'tabs for spaces': (text) => text.replace(/ {2}/g, '\t')
};

const mutated = (base: fc.Arbitrary<string>) =>
  fc
    .tuple(base, fc.array(fc.tuple(fc.constantFrom(...Object.keys(mutations)), fc.nat(), weirdText), {minLength: 1, maxLength: 3}))
    .map(([text, edits]) => edits.reduce((current, [name, at, payload]) => mutations[name]!(current, at % (current.length + 1), payload), text));

async function seedNotebooks(): Promise<string[]> {
  const files = [
    ...(await readdir(fixture('parse'))).filter((name) => name.endsWith('.md')).map((name) => fixture('parse', name)),
    fixture('report', 'mixed.md'),
    ...(await readdir(path.join(packageRoot, 'notebooks')).catch(() => [] as string[]))
      .filter((name) => name.endsWith('.md'))
      .map((name) => path.join(packageRoot, 'notebooks', name))
  ];
  return Promise.all(files.map((file) => readFile(file, 'utf8')));
}

/** `fc.assert` whose failure message includes what the property's assertion said (node:test prints no cause). */
function assertProperty<T>(arbitrary: fc.Arbitrary<T>, check: (value: T) => void, numRuns = runs): void {
  const details = fc.check(fc.property(arbitrary, check), {...settings, numRuns});
  if (!details.failed) return;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const example = JSON.stringify(details.counterexample?.[0]) ?? '';
  const shown = example.length > 3000 ? `${example.slice(0, 3000)}… (${example.length} characters)` : example;
  assert.fail(`${cause}\nseed ${details.seed}, path ${details.counterexamplePath}: reproduce with FUZZ_SEED=${details.seed}\ncounterexample: ${shown}`);
}

// ---------------------------------------------------------------------------------------------

test('parseNotebook and planNotebook on generated notebooks', async (t) => {
  await t.test('never throw, and every problem is a located message with a rule', () => {
    assertProperty(notebook, (source) => void checkNotebook(source));
  });

  await t.test('notebooks that are nearly valid reach the planner and plan without throwing', () => {
    let planned = 0;
    assertProperty(nearlyValid, (source) => {
      if (!checkNotebook(source).messages.some((message) => message.fatal)) planned++;
    });
    assert.ok(planned > runs / 10, `only ${planned} of ${runs} notebooks had no fatal message: the generator no longer reaches the planner`);
  });

  await t.test('the same holds for mutated notebooks', () => {
    assertProperty(mutated(fc.oneof(notebook, nearlyValid)), (source) => void checkNotebook(source), Math.ceil(runs * 0.7));
  });

  await t.test('and for mutations of the real fixtures and notebooks', async () => {
    const seeds = await seedNotebooks();
    assert.ok(seeds.length >= 4);
    for (const source of seeds) checkNotebook(source);
    // The real notebooks are long: fewer of them keep the test within a few seconds.
    assertProperty(mutated(fc.constantFrom(...seeds)), (source) => void checkNotebook(source), Math.ceil(runs / 5));
  });

  await t.test('and for arbitrary text', () => {
    assertProperty(fc.string({unit: 'binary', maxLength: 300}), (source) => void checkNotebook(source), Math.ceil(runs / 3));
    assertProperty(fc.string({unit: 'binary', maxLength: 300}).map((text) => `---\n${text}`), (source) => void checkNotebook(source), Math.ceil(runs / 3));
  });
});
