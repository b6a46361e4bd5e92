import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import test from 'node:test';
import {packageRoot} from '../../src/paths.js';
import {renderIndex} from '../../src/render/index.js';
import {machine} from './fixture.js';

test('renderIndex', async (t) => {
  const read = (name: string) => readFile(path.join(packageRoot, 'templates', name), 'utf8');
  const options = {template: await read('index.html'), css: await read('style.css')};

  await t.test('lists notebooks with article, counts, date and machine', () => {
    const html = renderIndex(
      [
        {
          name: 'loops',
          title: 'Loops <in> Python',
          href: 'loops.html',
          article: {title: 'Why loops are slow', url: 'https://example.com/loops', author: 'A. Author'},
          blocks: 6,
          failed: 1,
          measuredAt: '2024-05-02T08:00:00.000Z',
          machine
        },
        {name: 'bad', title: 'Bad', href: 'javascript:alert(1)', blocks: 1, failed: 0}
      ],
      options
    );
    assert.match(html, /<a href="loops.html">Loops &lt;in&gt; Python<\/a>/);
    assert.match(html, /Reproduces <a href="https:\/\/example.com\/loops"><cite>Why loops are slow<\/cite><\/a> by A. Author/);
    assert.match(html, /6 blocks · <strong class="failed">1 failed<\/strong> · measured <time datetime="2024-05-02T08:00:00.000Z">2024-05-02<\/time> · on Test CPU 3000/);
    assert.match(html, /<p class="title">Bad<\/p>/);
    assert.ok(!html.includes('javascript:'));
    assert.match(html, /1 block · none failed · not measured yet/);
    assert.match(html, /<title>Benchmark notebooks<\/title>/);
  });

  await t.test('says when there are no notebooks', () => {
    assert.match(renderIndex([], options), /No notebooks yet/);
  });

  await t.test('the ledger lists claims and hypotheses apart, each with both figures and its verdicts', () => {
    const ledger = [
      {id: 'c1', kind: 'claim' as const, text: '"Go is <faster>"', published: '317×', ours: '40.2×', verdict: 'holds' as const, magnitude: 'differs', href: 'go.html#claim-c1'},
      {id: 'h1', kind: 'hypothesis' as const, text: 'threads scale', verdict: 'does not hold' as const, href: 'go.html#claim-h1'}
    ];
    const html = renderIndex([{name: 'go', title: 'Go vs Python', href: 'go.html', blocks: 2, failed: 0, ledger}], options);
    const claims = html.slice(html.indexOf('id="ledger-claims"'), html.indexOf('id="ledger-hypotheses"'));
    assert.match(claims, /<td>&quot;Go is &lt;faster&gt;&quot;<\/td><td>317×<\/td><td>40.2×<\/td>/);
    assert.match(claims, /verdict-holds">holds<\/span><br><span class="ledger-size">size <span class="verdict verdict-fails">differs/);
    assert.match(claims, /1 in all: 1 holds\./);
    const hypotheses = html.slice(html.indexOf('id="ledger-hypotheses"'));
    assert.match(hypotheses, /<a href="go.html#claim-h1">Go vs Python<\/a><\/td><td>threads scale<\/td><td>—<\/td><td>—<\/td><td><span class="verdict verdict-fails">does not hold/);
    assert.ok(!hypotheses.includes('ledger-size'), 'a hypothesis has no article figure to agree with');
  });
});
