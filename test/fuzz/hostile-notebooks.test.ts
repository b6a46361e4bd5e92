/**
 * Hand-picked hostile notebooks, each once found or feared by the fuzz tests: the exact message and
 * place the parser gives, and what the planner makes of the memory option.
 */
import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';
import {promisify} from 'node:util';
import {formatMessage, parseNotebook} from '../../src/parse/index.js';
import type {Notebook} from '../../src/parse/types.js';
import {defaultMemoryBytes, planNotebook, sweepValues} from '../../src/plan/index.js';
import {packageRoot} from '../../src/paths.js';
import type {RuntimeInfo} from '../../src/model/index.js';

const runtimes: Record<string, RuntimeInfo> = {python: {name: 'python', executable: '/usr/bin/python3', version: '3.11.7'}};

/** Every message of a notebook as `line:column: severity: message [rule]`, the file name left out. */
function messagesOf(source: string): string[] {
  return parseNotebook(source, 'n.md').messages.map((message) => formatMessage(message).replace(/^n\.md:/, ''));
}

function parsed(source: string): Notebook {
  const {notebook, messages} = parseNotebook(source, 'n.md');
  assert.deepEqual(messages.filter((message) => message.fatal).map(formatMessage), []);
  return notebook!;
}

const swept = (workers: string, profiles = '') => `---
title: Sweeps
params:
  workers: ${workers}
${profiles}---

\`\`\`python run id=s sweep=workers
print({{workers}})
\`\`\`
`;

test('sweeps that would run nothing, forever, or twice into one file are invalid-sweep errors at the sweep', () => {
  assert.deepEqual(messagesOf(swept('[]')), ['7:20: error: cannot sweep over `workers`: it is an empty list: give it at least one value, e.g. `[1, 2, 4]` [invalid-sweep]']);
  assert.deepEqual(messagesOf(swept('1..99999999999999999999')), ['7:20: error: cannot sweep over `workers`: it is a range of too many values: at most 10000 [invalid-sweep]']);
  assert.deepEqual(messagesOf(swept('1..20000')), ['7:20: error: cannot sweep over `workers`: it is a range of 20000 values: at most 10000 [invalid-sweep]']);
  assert.deepEqual(messagesOf(swept('[1, "1"]')), [
    '7:20: error: cannot sweep over `workers`: it lists `1` twice (or two values that differ only in punctuation): each value is one stored result [invalid-sweep]'
  ]);
  assert.deepEqual(messagesOf(swept('[1, 2]', 'profiles:\n  full: {workers: []}\n')), [
    '9:20: error: cannot sweep over `workers`: it is an empty list: give it at least one value, e.g. `[1, 2, 4]` in profile `full` [invalid-sweep]'
  ]);
  // A profile may pin a swept parameter to one value; the base value must still be a list or range.
  assert.deepEqual(messagesOf(swept('[1, 2]', 'profiles:\n  quick: {workers: 4}\n')), []);
  assert.deepEqual(messagesOf(swept('4')), ['7:20: error: cannot sweep over `workers`: it is not a list or a range such as `1..12` [invalid-sweep]']);
  // Not swept, an empty list is just a value.
  assert.deepEqual(messagesOf('---\ntitle: t\nparams:\n  workers: []\n---\n'), []);
});

test('sweepValues refuses a range too large to expand, for a notebook built by hand', () => {
  assert.deepEqual(sweepValues('3..1'), [3, 2, 1]);
  assert.throws(() => sweepValues('1..99999999999999999999'), RangeError);
  assert.throws(() => sweepValues('0..10000'), /at most 10000 values/);
});

test('names of Object.prototype members are plain names, never inherited values', () => {
  const source = `---
title: Prototype
params:
  __proto__: [1]
profiles:
  __proto__: {}
---

\`\`\`python run id=constructor constructor=1 toString=2
print("{{constructor}} {{toString}}")
\`\`\`
`;
  // The list of known options grows with the project: only its start is pinned.
  assert.deepEqual(
    messagesOf(source).map((line) => line.replace(/: expected one of .*? \[/, ': expected one of … [')),
    [
      '4:3: error: invalid parameter name `__proto__`: expected an identifier other than `measure` [invalid-param]',
      '6:3: error: invalid profile name `__proto__` [front-matter-shape]',
      '9:30: error: unknown option `constructor` for a run block: expected one of … [unknown-option]',
      '9:44: error: unknown option `toString` for a run block: expected one of … [unknown-option]',
      '10:8: warning: placeholder `{{constructor}}` names no parameter: it is left as written [unknown-placeholder]',
      '10:24: warning: placeholder `{{toString}}` names no parameter: it is left as written [unknown-placeholder]'
    ]
  );
  const clean = parsed(source.replace(/params:[\s\S]*?---/, '---').replace(' constructor=1 toString=2', ''));
  const [run] = planNotebook(clean, {runtimes}).runs;
  assert.equal(run!.code, 'print("{{constructor}} {{toString}}")', 'placeholders of no parameter are left as written');
});

test('a key left out of a YAML mapping is a located message', () => {
  assert.deepEqual(messagesOf('---\ntitle: t\nparams:\n  : 1\n---\n'), ['4:3: error: invalid parameter name ``: expected an identifier other than `measure` [invalid-param]']);
});

test('YAML nested thousands deep is a yaml-syntax error, not a crash', () => {
  const messages = messagesOf(`---\ntitle: t\nparams:\n  n: ${'['.repeat(5000)}${']'.repeat(5000)}\n---\n`);
  assert.equal(messages.length, 1);
  assert.match(messages[0]!, /^4:\d+: error: invalid YAML in front matter: .+ \[yaml-syntax\]$/);
});

test('Markdown nested deeper than the stack is a nesting-too-deep error, not a crash', async () => {
  // A small stack makes a few thousand levels enough, and keeps the test fast.
  const script = `
    const {parseNotebook} = await import(${JSON.stringify(path.join(packageRoot, 'dist/src/parse/index.js'))});
    const source = '---\\ntitle: t\\n---\\n' + '>'.repeat(3000) + ' deep\\n';
    console.log(JSON.stringify(parseNotebook(source, 'deep.md').messages));`;
  const {stdout} = await promisify(execFile)(process.execPath, ['--stack-size=150', '--input-type=module', '-e', script]);
  const messages = JSON.parse(stdout) as Array<{rule: string; line: number; column: number}>;
  assert.deepEqual(messages.map((message) => [message.rule, message.line, message.column]), [['nesting-too-deep', 1, 1]]);
});

test('numbers and durations past what the machine can hold are invalid-option errors', () => {
  const source = `---
title: Huge
---

\`\`\`python bench id=b repeat=99999999999999999999 timeout=99999999999m min-sample=1e3s
def bench(): return 1
\`\`\`
`;
  assert.deepEqual(messagesOf(source), [
    '5:22: error: invalid repeat: `99999999999999999999`: expected an integer >= 1 [invalid-option]',
    '5:50: error: invalid timeout: `99999999999m`: longer than the longest time limit, 24 days [invalid-option]',
    '5:71: error: invalid min-sample: `1e3s`: expected a duration such as 500ms, 2s or 1m [invalid-option]'
  ]);
});

test('line endings: CR alone, as micromark reads it, keeps lines and columns right', () => {
  const source = '---\rtitle: t\r---\r\r```python run id=x repeat=3\rprint(1)\r```\r';
  assert.deepEqual(messagesOf(source), ['5:20: error: option `repeat` does not apply to a run block (it applies to bench) [misplaced-option]']);
  assert.deepEqual(messagesOf(source.replaceAll('\r', '\r\n')), messagesOf(source));
});

test('a fence inside a quote or a list item reads its info string from the fence', () => {
  const notebook = parsed('---\ntitle: t\n---\n\n> ```python run id=quoted timeout=2s\n> print(1)\n> ```\n\n- ```python run id=listed\n  print(2)\n  ```\n');
  assert.deepEqual(notebook.blocks.map((block) => [block.kind, block.id, block.optionPoints.id?.column]), [
    ['run', 'quoted', 17],
    ['run', 'listed', 17]
  ]);
  assert.deepEqual(messagesOf('---\ntitle: t\n---\n\n> ```python run id=q colour=red\n> print(1)\n> ```\n').map((line) => line.slice(0, 5)), ['5:22:']);
});

test('the memory option: sizes with units, bounds, and the planner\'s defaults', () => {
  const source = (options: string, measure = '') => `---\ntitle: Memory\n${measure}---\n\n\`\`\`python run id=m ${options}\nprint(1)\n\`\`\`\n`;
  const memoryOf = (text: string, limit?: number) =>
    planNotebook(parsed(text), {runtimes, ...(limit === undefined ? {} : {memoryLimitBytes: limit})}).runs[0]!.memoryBytes;
  assert.equal(memoryOf(source('')), defaultMemoryBytes);
  assert.equal(defaultMemoryBytes, 4 * 2 ** 30);
  assert.equal(memoryOf(source(''), 2 ** 30), 2 ** 30, '--memory-limit applies to blocks without memory=');
  assert.equal(memoryOf(source('memory=512MB'), 2 ** 30), 512e6, 'memory= wins over --memory-limit');
  assert.equal(memoryOf(source('memory=512MiB')), 512 * 2 ** 20);
  assert.equal(memoryOf(source('memory=1.5G')), 1.5 * 2 ** 30);
  assert.equal(memoryOf(source('', 'measure:\n  memory: 256MiB\n')), 256 * 2 ** 20, 'measure: memory sets the notebook default');
  for (const bad of ['12', '0MB', '1KB', '2TiB', 'lots']) {
    assert.deepEqual(messagesOf(source(`memory=${bad}`)), [`5:20: error: invalid memory: \`${bad}\`: expected a size from 16MiB to 1TiB such as 512MB or 4GiB [invalid-option]`]);
  }
  // A limit decides whether a run completes, not what it measures: it does not re-run stored results.
  const hash = (text: string) => planNotebook(parsed(text), {runtimes}).runs[0]!.hash;
  assert.equal(hash(source('memory=512MB')), hash(source('')));
});
