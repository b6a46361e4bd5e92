import assert from 'node:assert/strict';
import test from 'node:test';
import {renderProse, renderToc} from '../../src/render/prose.js';
import {makeNotebook} from './fixture.js';

test('renderToc', async (t) => {
  await t.test('nests h3 under the h2 before it, lists a leading h3 at the top, skips h4', () => {
    const toc = renderToc([
      {depth: 3, id: 'early', text: 'Early'},
      {depth: 2, id: 'a', text: 'A <b>'},
      {depth: 3, id: 'a1', text: 'A1'},
      {depth: 4, id: 'a1x', text: 'deep'},
      {depth: 3, id: 'a2', text: 'A2'},
      {depth: 2, id: 'b', text: 'B'}
    ]);
    const items = toc.split('\n').filter((line) => line.startsWith('<li') || line.startsWith('</ol>'));
    assert.deepEqual(items, [
      '<li><a href="#early">Early</a></li>',
      '<li><a href="#a">A &lt;b&gt;</a><ol>',
      '<li><a href="#a1">A1</a></li>',
      '<li><a href="#a2">A2</a></li>',
      '</ol></li>',
      '<li><a href="#b">B</a></li>',
      '</ol>'
    ]);
  });

  await t.test('is empty with fewer than two entries', () => {
    assert.equal(renderToc([{depth: 2, id: 'a', text: 'A'}]), '');
  });
});

test('renderProse', async (t) => {
  await t.test('escapes every > and < of the prose, and returns the headings with their slugs', () => {
    const notebook = makeNotebook('# T\n\n## a > b\n\nx < y & z > w\n\n## a > b\n', []);
    const {html, headings} = renderProse(notebook.tree, () => undefined, {reservedIds: ['t']});
    assert.match(html, /<p>x &lt; y &amp; z &gt; w<\/p>/);
    assert.deepEqual(headings, [
      {depth: 1, id: 't-1', text: 'T'},
      {depth: 2, id: 'a--b', text: 'a > b'},
      {depth: 2, id: 'a--b-1', text: 'a > b'}
    ]);
  });
});
