import assert from 'node:assert/strict';
import {createRequire} from 'node:module';
import {test} from 'node:test';
import fc from 'fast-check';
import {decodeTemplate, encodeTemplate, findTaggedTemplate} from '../../src/notebook/template.js';

// The TypeScript inside tslab's kernel (5.0), which is what reads the cells in Jupyter.
const ts = createRequire(import.meta.url)('@tslab/typescript-for-tslab') as typeof import('typescript');

/** How tslab's TypeScript reads `tag`<encoded>``: its syntax errors, and the raw text the tag gets. */
function readAsTslab(encoded: string): {errors: string[]; raw: string | undefined} {
  const source = ts.createSourceFile('cell.ts', `nb.block\`${encoded}\`;`, ts.ScriptTarget.ES2020, true);
  const errors = (source as unknown as {parseDiagnostics: Array<{messageText: string}>}).parseDiagnostics.map((d) => d.messageText);
  let raw: string | undefined;
  const visit = (node: import('typescript').Node): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isNoSubstitutionTemplateLiteral(node.template)) raw = node.template.rawText;
    ts.forEachChild(node, visit);
  };
  visit(source);
  return {errors, raw};
}

/** Text rich in what the encoding must handle: backslashes, backticks, `${`, `\u` and `\x` escapes. */
const tricky = fc
  .array(fc.constantFrom('\\', '`', '$', '{', '}', 'u', 'x', '0', 'a', 'F', '\n', '\r\n', ' ', '\\u0041', '\\u{1F600}', '\\u{110000}', '\\x4', '\\x41', 'é'), {maxLength: 40})
  .map((parts) => parts.join(''));

test('encodeTemplate and decodeTemplate', async (t) => {
  await t.test('leave ordinary code as it is, backslashes included', () => {
    const code = 'print("a\\tb\\n")\nint main(void) { return \'\\0\'; }\n"\\u00e9\\x41"\n';
    assert.equal(encodeTemplate(code), code);
  });

  await t.test('escape what would end the template or be rejected by TypeScript', () => {
    assert.equal(encodeTemplate('a`b'), 'a\\`b');
    assert.equal(encodeTemplate('${x}'), '\\${x}');
    assert.equal(encodeTemplate('\\`'), '\\\\\\`');
    assert.equal(encodeTemplate('C:\\users'), 'C:\\\\users');
    assert.equal(encodeTemplate('"\\x"'), '"\\\\x"');
    assert.equal(encodeTemplate('ends with \\'), 'ends with \\\\');
  });

  await t.test('give back any text, byte for byte', () => {
    fc.assert(fc.property(fc.oneof(tricky, fc.string({unit: 'binary', maxLength: 60})), (text) => decodeTemplate(encodeTemplate(text)) === text), {numRuns: 2000});
  });

  await t.test("write templates that tslab's TypeScript reads without error and that give the text back when run", () => {
    fc.assert(
      fc.property(tricky, (text) => {
        const encoded = encodeTemplate(text);
        const {errors, raw} = readAsTslab(encoded);
        assert.deepEqual(errors, [], JSON.stringify(text));
        assert.equal(raw, encoded);
        // What the tag gets when the cell runs; template literals read CR LF as LF (CRLF notebooks have LF cells).
        const seen = new Function('tag', `return tag\`${encoded}\`;`)((strings: TemplateStringsArray) => strings.raw[0]) as string;
        assert.equal(decodeTemplate(seen), text.replace(/\r\n?/g, '\n'));
      }),
      {numRuns: 1000}
    );
  });

  await t.test('read escapes written by hand as TypeScript reads them', () => {
    assert.equal(decodeTemplate('a \\` b \\${c}'), 'a ` b ${c}');
  });
});

test('findTaggedTemplate', async (t) => {
  await t.test('finds the template after the tag and what surrounds it', () => {
    const found = findTaggedTemplate('// note\nawait nb.block`python run\nprint("\\`")\n`;\n', 'block');
    assert.deepEqual(found && 'raw' in found ? [found.raw, found.before, found.after] : found, ['python run\nprint("\\`")\n', '// note\nawait nb.block', ';\n']);
  });

  await t.test('says why a template cannot be read', () => {
    const open = findTaggedTemplate('await nb.block`python run\nprint(1)\n', 'block');
    assert.ok(open && 'problem' in open);
    assert.match(open.problem, /not closed/);
    const substituted = findTaggedTemplate('await nb.block`js run\nconsole.log(${x})\n`;', 'block');
    assert.ok(substituted && 'problem' in substituted);
    assert.match(substituted.problem, /\\\$\{/);
    assert.equal(findTaggedTemplate('console.log(1);', 'block'), undefined);
  });
});
