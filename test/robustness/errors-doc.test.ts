/**
 * docs/errors.md against the code: every rule the parser and planner emit is documented, and every
 * documented example gives exactly the message the page shows for it.
 */
import assert from 'node:assert/strict';
import {readdir, readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';
import {formatMessage, parseNotebook, readPublishedFiles} from '../../src/parse/index.js';
import {closest} from '../../src/system/closest.js';
import {packageRoot} from '../../src/paths.js';

/** One `### \`rule\`` section of the document: its example notebook, the files beside it, and expected messages, if any. */
interface Section {
  rule: string;
  example?: string;
  /** Files beside the example notebook (` ```json file=results.json `), by name. */
  files: Map<string, string>;
  messages: string[];
}

async function readSections(): Promise<Section[]> {
  const text = await readFile(path.join(packageRoot, 'docs', 'errors.md'), 'utf8');
  const rules = text.slice(text.indexOf('## Rules of the notebook checks'), text.indexOf('## Failures of a block'));
  return rules
    .split(/^### /m)
    .slice(1)
    .map((body) => {
      const rule = /^`([a-z-]+)`/.exec(body)?.[1];
      assert.ok(rule, `a section heading names its rule: ${body.slice(0, 60)}`);
      const example = /^````markdown\n([\s\S]*?)\n````$/m.exec(body)?.[1];
      const messages = [...body.matchAll(/^```text\n([\s\S]*?)\n```$/gm)].flatMap((match) => match[1]!.split('\n'));
      const files = new Map([...body.matchAll(/^```\w* file=(\S+)\n([\s\S]*?)\n```$/gm)].map((match) => [match[1]!, `${match[2]!}\n`] as [string, string]));
      return {rule, ...(example === undefined ? {} : {example: `${example}\n`}), files, messages};
    });
}

/** The rule ids written in the sources of the parser, the planner and the report's own checks. */
async function emittedRules(): Promise<Set<string>> {
  const files = ['src/report.ts'];
  for (const dir of ['src/parse', 'src/plan']) {
    for (const name of await readdir(path.join(packageRoot, dir))) if (name.endsWith('.ts')) files.push(path.join(dir, name));
  }
  const rules = new Set<string>();
  for (const file of files) {
    const source = await readFile(path.join(packageRoot, file), 'utf8');
    // `messages.error(..., 'rule')` and `messages.warn(...)`, one line each; `rule: 'rule'` (options, the report's checks).
    for (const match of source.matchAll(/messages\.(?:error|warn)\(.*, '([a-z]+(?:-[a-z]+)+)'\);$|rule: '([a-z]+(?:-[a-z]+)+)'/gm)) rules.add((match[1] ?? match[2])!);
  }
  return rules;
}

/** A documented line as a pattern: `…` stands for any text (a list that grows). */
function patternOf(line: string): RegExp {
  return new RegExp(`^${line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*?')}$`);
}

test('docs/errors.md documents every rule id the parser, planner and report emit, and no other', async () => {
  const documented = (await readSections()).map((section) => section.rule);
  const emitted = await emittedRules();
  assert.ok(emitted.size >= 20, `found the rules in the sources: ${[...emitted].join(', ')}`);
  assert.deepEqual([...emitted].filter((rule) => !documented.includes(rule)).sort(), [], 'rules missing from docs/errors.md');
  assert.deepEqual(documented.filter((rule) => !emitted.has(rule)).sort(), [], 'documented rules no code emits');
  assert.equal(new Set(documented).size, documented.length, 'each rule once');
});

test('every example in docs/errors.md gives the documented messages', async () => {
  const sections = await readSections();
  const checked = sections.filter((section) => section.example !== undefined);
  assert.ok(checked.length >= 18);
  for (const {rule, example, files, messages} of checked) {
    const parsed = parseNotebook(example!, 'notebook.md');
    // Published figures read from files: the files the section shows, beside the notebook.
    const effects = {
      readFile: async (file: string) => {
        const content = files.get(file);
        if (content === undefined) throw Object.assign(new Error(`ENOENT: ${file}`), {code: 'ENOENT'});
        return content;
      },
      nearest: (file: string) => closest(file, files.keys())
    };
    const published = parsed.notebook ? (await readPublishedFiles(parsed.notebook, effects)).messages : [];
    const actual = [...parsed.messages, ...published].map(formatMessage);
    assert.equal(actual.length, messages.length, `${rule}: ${actual.join('\n')}`);
    actual.forEach((line, index) => assert.match(line, patternOf(messages[index]!), rule));
    assert.ok(actual.every((line) => line.endsWith(`[${rule}]`)), `${rule}: the example shows its own rule only`);
  }
});
