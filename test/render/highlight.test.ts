import assert from 'node:assert/strict';
import test from 'node:test';
import {HIGHLIGHTED_LANGUAGES, highlightCode} from '../../src/render/highlight.js';

test('highlightCode', async (t) => {
  await t.test('marks tokens in every highlighted language and its usual fence words', () => {
    const samples: Record<string, string> = {
      python: 'def f(): return 1',
      py: 'import os',
      go: 'func main() {}',
      c: 'int main(void) { return 0; }',
      rust: 'fn main() { let x = 1; }',
      javascript: 'const x = 1;',
      js: 'let y = "s";',
      typescript: 'const x: number = 1;',
      ts: 'type T = string;',
      bash: 'echo "$HOME"',
      sh: 'ls -la',
      json: '{"a": 1}',
      yaml: 'a: 1'
    };
    for (const [lang, code] of Object.entries(samples)) assert.match(highlightCode(code, lang), /<span class="hljs-/, lang);
    assert.equal(HIGHLIGHTED_LANGUAGES.length, 9);
  });

  await t.test('escapes every character of the code, highlighted or not', () => {
    const hostile = 'x = "</code><script>alert(1)</script>" & \'<b>\'';
    for (const lang of ['python', 'brainfuck', '']) {
      const html = highlightCode(hostile, lang);
      assert.doesNotMatch(html, /<(script|b|\/code)\b/, lang);
      assert.equal(html.replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'), hostile);
    }
  });
});
