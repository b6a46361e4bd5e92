import assert from 'node:assert/strict';
import {readdir, readFile} from 'node:fs/promises';
import {test} from 'node:test';
import {formatMessage, parseNotebook} from '../../src/parse/index.js';
import {fixture} from '../helpers/paths.js';
import {assertSnapshot} from '../helpers/snapshot.js';

async function parseFixture(name: string) {
  const source = await readFile(fixture('parse', name), 'utf8');
  return parseNotebook(source, `test/fixtures/parse/${name}`);
}

function messagesOf(result: ReturnType<typeof parseNotebook>): string[] {
  return result.messages.map(formatMessage);
}

test('parseNotebook', async (t) => {
  await t.test('reads front matter, blocks, options and their positions', async () => {
    const {notebook, messages} = await parseFixture('good.md');
    assert.deepEqual(messages, []);
    assert.ok(notebook);
    assert.equal(notebook.title, 'A good notebook');
    assert.equal(notebook.name, 'good');
    assert.deepEqual(notebook.article, {title: 'An article', url: 'https://example.com/article'});
    assert.deepEqual(notebook.params, {n: 1000, workers: '1..3', sizes: [10, 100]});
    assert.deepEqual(notebook.profiles.full, {params: {n: 100000}, measure: {repeat: 20}});
    assert.deepEqual(notebook.measure, {repeat: 3, 'min-sample': 5});
    assert.deepEqual(
      notebook.blocks.map((block) => [block.kind, block.id, block.runtime ?? null]),
      [
        ['bench', 'py-loop', 'python'],
        ['run', 'go-version', 'go'],
        ['code', 'code-1', null],
        ['bench', 'pool', 'js'],
        ['plot', 'chart', null],
        ['table', 'table-1', null],
        ['code', 'code-2', null],
        ['code', 'code-3', null]
      ]
    );
    const bench = notebook.blocks[0]!;
    assert.deepEqual(bench.options, {id: 'py-loop', label: 'Python loop', repeat: 7, warmup: 0, processes: 1, timeout: 30_000});
    assert.deepEqual(bench.start, {line: 24, column: 1});
    assert.deepEqual(bench.optionPoints.repeat, {line: 24, column: 48});
    assert.equal(bench.code, 'def bench():\n    return sum(range({{n}}))');
  });

  await t.test('links code nodes of the tree to their blocks', async () => {
    const {notebook} = await parseFixture('good.md');
    const indices: number[] = [];
    for (const node of notebook!.tree.children) {
      if (node.type === 'code') indices.push((node.data as {blockIndex: number}).blockIndex);
    }
    assert.deepEqual(indices, [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  await t.test('reports every mistake in blocks at its line and column, all at once', async () => {
    const result = await parseFixture('bad-blocks.md');
    const messages = messagesOf(result);
    const file = 'test/fixtures/parse/bad-blocks.md';
    assert.ok(messages.includes(`${file}:7:11: error: unknown block kind \`bnch\`: expected \`bench\` or \`run\` after the language, or nothing for code that is only shown [unknown-block-kind]`), messages.join('\n'));
    assert.ok(messages.includes(`${file}:11:4: error: no runtime runs \`bash\` blocks: expected one of python, go, c, cpp, js, ts, rust [unknown-runtime]`));
    assert.ok(messages.some((line) => line.startsWith(`${file}:15:22: error: invalid repeat: \`zero\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:15:34: error: invalid timeout: \`5\`: expected a duration`)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:15:44: error: unknown option \`colour\``)));
    assert.ok(messages.includes(`${file}:16:21: warning: placeholder \`{{m}}\` names no parameter: it is left as written [unknown-placeholder]`));
    assert.ok(messages.includes(`${file}:19:17: error: duplicate block id \`c\`: first used on line 15 [duplicate-id]`));
    assert.ok(messages.some((line) => line.startsWith(`${file}:23:18: error: cannot sweep over \`n\`: it is not a list`)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:27:14: error: \`e\` refers to \`zzz\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:31:23: error: unterminated quoted value for \`caption\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:34:22: error: unexpected word \`stray\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:38:14: error: option \`repeat\` does not apply to a plot block`)));
    await assertSnapshot(fixture('parse', 'bad-blocks.messages.txt'), messages.join('\n') + '\n');
  });

  await t.test('locates YAML syntax errors inside the front matter', async () => {
    const messages = messagesOf(await parseFixture('bad-front-matter.md'));
    assert.equal(messages.length, 1, messages.join('\n'));
    assert.match(messages[0]!, /^test\/fixtures\/parse\/bad-front-matter\.md:4:11: error: invalid YAML in front matter: .+ \[yaml-syntax\]$/);
  });

  await t.test('rejects unknown and malformed front matter keys', async () => {
    const messages = messagesOf(await parseFixture('bad-front-matter-keys.md'));
    const file = 'test/fixtures/parse/bad-front-matter-keys.md';
    assert.ok(messages.some((line) => line.startsWith(`${file}:3:1: error: unknown front matter key \`author\``)), messages.join('\n'));
    assert.ok(messages.some((line) => line.startsWith(`${file}:6:3: error: invalid parameter name \`bad name\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:7:11: error: parameter \`nested\` must be`)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:9:11: error: profile \`quick\` overrides unknown parameter \`m\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:11:11: error: invalid repeat: \`-1\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:12:3: error: unknown measure setting \`speed\``)));
    assert.ok(messages.some((line) => line.startsWith(`${file}:13:1: error: \`article\` needs a \`title\``)));
    await assertSnapshot(fixture('parse', 'bad-front-matter-keys.messages.txt'), messages.join('\n') + '\n');
  });

  await t.test('reads the article\'s machine, method and sizes, published sets and fields, size=; locates every mistake', () => {
    const source = [
      '---',
      'title: T',
      'article:',
      '  title: A',
      '  machine: Ryzen 5 3600',
      '  method: perf stat',
      '  sizes:',
      '    n: {value: 8000000000, note: takes hours}',
      '    m: 3',
      '    k: {note: no value}',
      'params: {n: 10, k: 1}',
      'published:',
      '  a@n=1: {median: 2 s, improvement: -2.79%, share: 1 s}',
      '  a#first: {min: 1 us}',
      '  a#bad set: 1 s',
      '  b: {improvement: lots}',
      '---',
      '',
      '```python bench id=a sweep=n size=n*k/2',
      'def bench(): return 1',
      '```',
      '',
      '```python bench id=b size=n*nope',
      'def bench(): return 1',
      '```',
      '',
      '```table blocks=a published=first',
      '```',
      '',
      '```table blocks=a published=second',
      '```',
      ''
    ].join('\n').replace('params: {n: 10, k: 1}', 'params: {n: [1, 2], k: 1}');
    const {notebook, messages} = parseNotebook(source, 'x.md');
    const lines = messages.map(formatMessage);
    assert.deepEqual(notebook!.article!.sizes, {n: {value: 8_000_000_000, note: 'takes hours'}, m: {value: 3}});
    assert.equal(notebook!.article!.machine, 'Ryzen 5 3600');
    assert.deepEqual(notebook!.published['a@n=1'], {median: 2e9, improvement: -0.0279, share: 1e9});
    assert.deepEqual(notebook!.published['a#first'], {min: 1000});
    assert.equal(notebook!.blocks[0]!.options['size'], 'n*k/2');
    assert.deepEqual(lines, [
      'x.md:9:5: error: article size for `m`, which is not a parameter declared under `params:` [unknown-param]',
      'x.md:10:5: error: article size `k` needs a `value` [front-matter-shape]',
      'x.md:15:3: error: invalid published set `bad set` in `a#bad set`: after `#`, a name such as `first-table` [invalid-published]',
      "x.md:16:20: error: published `b`: expected the article's change from the previous row as a percentage, such as 49.5377% or -2.79% [invalid-published]",
      'x.md:23:22: error: cannot scale by `nope` in size=: it is not a numeric parameter declared under `params:` [unknown-param]',
      'x.md:30:19: error: published=second names no set of the article\'s figures: expected one of first [unknown-block-ref]'
    ]);
  });

  await t.test('requires front matter with a title', async () => {
    const messages = messagesOf(await parseFixture('no-front-matter.md'));
    assert.deepEqual(messages, [
      'test/fixtures/parse/no-front-matter.md:1:1: error: a notebook starts with YAML front matter between `---` lines, with at least `title:` [missing-front-matter]'
    ]);
  });

  await t.test('parses every notebook in notebooks/ without a message', async () => {
    const dir = fixture('..', '..', 'notebooks');
    for (const name of (await readdir(dir)).filter((file) => file.endsWith('.md'))) {
      const {messages} = parseNotebook(await readFile(`${dir}/${name}`, 'utf8'), `notebooks/${name}`);
      assert.deepEqual(messagesOf({messages}), [], name);
    }
  });

  await t.test('snapshots the blocks of the good notebook', async () => {
    const {notebook} = await parseFixture('good.md');
    const {tree: _tree, ...rest} = notebook!;
    await assertSnapshot(fixture('parse', 'good.json'), JSON.stringify(rest, null, 2) + '\n');
  });
});

test('parseNotebook reads claim blocks and published figures', async (t) => {
  const {notebook, messages} = await parseFixture('claims.md');
  const file = 'test/fixtures/parse/claims.md';

  await t.test('a good claim keeps the article\'s words, its check, figure and note', () => {
    const claim = notebook!.blocks.find((block) => block.id === 'good')!.claim!;
    assert.equal(claim.text, '"fast is faster: it says so"');
    assert.equal(claim.check, 'faster(fast, slow) and ratio(slow, fast) > 1.5');
    assert.equal(claim.published, '2×');
    assert.equal(claim.note, 'a note that continues');
    assert.equal(claim.expression.type, 'logic');
  });

  await t.test('published figures are read with their units', () => {
    assert.deepEqual(notebook!.published.fast, {median: 1500});
    assert.deepEqual(notebook!.published.slow, {median: 3000, peakBytes: 1024});
  });

  await t.test('every problem is located, inside the check expression too', () => {
    const lines = messagesOf({messages});
    assert.ok(lines.includes(`${file}:8:3: error: published figure for \`nowhere\`, which is not a bench or run block of this notebook [unknown-block-ref]`), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith(`${file}:9:13: error: published \`fast@x=1\`: expected a time with its unit`)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:30:27: error: invalid check: expected a number, a function call or \`(\` but found the end of the check`)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:35:15: error: claim \`bad-ref\` refers to \`missing\``)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:40:1: error: unknown claim key \`chek\``)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:39:1: error: a claim block needs \`check:\``)));
  });

  await t.test('a hypothesis is a claim block of our own words, with a tolerance and a figure read as a value', () => {
    const claim = notebook!.blocks.find((block) => block.id === 'ours')!.claim!;
    assert.equal(claim.kind, 'hypothesis');
    assert.equal(claim.text, 'our own question');
    assert.equal(claim.tolerance, 2);
    assert.deepEqual(claim.publishedFigure, {text: '1.5× slower (3 µs vs 2 µs)', value: 1.5, unit: 'x', sense: 'slower'});
    assert.equal(notebook!.blocks.find((block) => block.id === 'good')!.claim!.kind, 'claim');
  });

  await t.test('a published figure that cannot be read, a bad tolerance and an unquoted claim are located', () => {
    const lines = messagesOf({messages});
    assert.ok(lines.some((line) => line.startsWith(`${file}:52:12: error: invalid published figure: expected a figure at its start`)), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith(`${file}:56:8: warning: a claim quotes the article: put its words in quotation marks`)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:60:27: error: invalid tolerance: \`1x\`: expected a factor above 1`)));
    assert.ok(lines.some((line) => line.startsWith(`${file}:68:12: error: the published figure is a size (B), but no term of the check is (they are a ratio (×))`)));
  });

  await t.test('same-result=no says the blocks are meant to compute different results; another word is located', () => {
    assert.equal(notebook!.blocks.find((block) => block.id === 'different-work')!.claim!.sameResult, false);
    assert.equal(notebook!.blocks.find((block) => block.id === 'good')!.claim!.sameResult, undefined, 'compared unless it says so');
    const lines = messagesOf({messages});
    assert.ok(lines.some((line) => line.startsWith(`${file}:76:29: error: invalid same-result: \`maybe\`: expected one of yes, no [invalid-option]`)), lines.join('\n'));
  });
});
