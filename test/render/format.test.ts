import assert from 'node:assert/strict';
import test from 'node:test';
import {formatSignificant, formatTime, pickTimeUnit} from '../../src/render/format.js';

test('pickTimeUnit', () => {
  assert.equal(pickTimeUnit(0).name, 'ns');
  assert.equal(pickTimeUnit(999).name, 'ns');
  assert.equal(pickTimeUnit(1000).name, 'µs');
  assert.equal(pickTimeUnit(2.5e6).name, 'ms');
  assert.equal(pickTimeUnit(3e9).name, 's');
  assert.equal(pickTimeUnit(Number.POSITIVE_INFINITY).name, 'ns');
});

test('formatSignificant', () => {
  assert.deepEqual(
    [1234.5, 123.45, 12.345, 1.2345, 0.12345, 0.0012345, 0].map(formatSignificant),
    ['1235', '123', '12.3', '1.23', '0.123', '0.00123', '0']
  );
  assert.equal(formatSignificant(Number.NaN), '–');
});

test('formatTime', () => {
  assert.equal(formatTime(1_234_567), '1.23 ms');
  assert.equal(formatTime(950_000, pickTimeUnit(1e6)), '0.950 ms');
});
