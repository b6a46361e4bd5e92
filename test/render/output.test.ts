import assert from 'node:assert/strict';
import test from 'node:test';
import {capOutput, formatBytes, OUTPUT_BYTES, OUTPUT_LINES, readableOutput, renderOutput} from '../../src/render/output.js';

test('capOutput', async (t) => {
  await t.test('leaves output within 200 lines and 64 KiB whole', () => {
    const text = 'line\n'.repeat(OUTPUT_LINES);
    assert.deepEqual(capOutput(text), {text});
    assert.deepEqual(capOutput(''), {text: ''});
  });

  await t.test('cuts at 200 lines and says how much of how much', () => {
    const {text, cut} = capOutput('line\n'.repeat(1000));
    assert.equal(text, 'line\n'.repeat(OUTPUT_LINES));
    assert.deepEqual(cut, {lines: 200, totalLines: 1000, bytes: 1000, totalBytes: 5000});
  });

  await t.test('cuts long lines at 64 KiB, at a line end, never inside a character', () => {
    const line = `${'é'.repeat(999)}\n`;
    const {text, cut} = capOutput(line.repeat(50));
    assert.ok(Buffer.byteLength(text) <= OUTPUT_BYTES);
    assert.ok(text.endsWith('\n') && !text.includes('\uFFFD'));
    assert.equal(cut!.lines, 32);
    const oneLine = capOutput('ü'.repeat(40_000));
    assert.ok(Buffer.byteLength(oneLine.text) <= OUTPUT_BYTES && !oneLine.text.includes('\uFFFD'));
  });

  await t.test('a 50 MB flood puts 64 KiB at most on the page', () => {
    const html = renderOutput('y'.repeat(1023).concat('\n').repeat(50 * 1024), {className: 'output', notebook: 'nb', key: 'flood', stream: 'stdout'});
    assert.ok(html.length < OUTPUT_BYTES + 1000);
    assert.match(html, /Cut: the first 64 of 51,200 lines \(64 KiB of 50 MiB\) are shown. The whole output: <a href="nb.flood.stdout.txt" download>/);
  });
});

test('readableOutput drops the temporary folders a block ran in', () => {
  assert.equal(
    readableOutput('1 0.170 /tmp/benchbook-gHHtJT/block-profile.py:11(slow_unique)\nfile "/var/tmp/x/benchbook-NUlVtN/block-list-dis.py", line 7'),
    '1 0.170 block-profile.py:11(slow_unique)\nfile "block-list-dis.py", line 7'
  );
});

test('formatBytes', () => {
  assert.deepEqual([512, 65_536, 50 * 1024 ** 2, 1.5 * 1024 ** 3].map(formatBytes), ['512 B', '64 KiB', '50 MiB', '1.5 GiB']);
});
