import assert from 'node:assert/strict';
import test from 'node:test';
import {formatInterval, formatRatio, formatSignificant, formatTick, formatTime, formatTimeTick, pickColumnUnit, pickTimeUnit} from '../../src/render/format.js';

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
    [1234.5, 123.45, 12.345, 1.2345, 0.12345, 0.0012345, 0, 85_183_700_000].map(formatSignificant),
    ['1,235', '123', '12.3', '1.23', '0.123', '0.00123', '0', '85,183,700,000']
  );
  assert.equal(formatSignificant(Number.NaN), '–');
});

test('formatRatio has thousands separators, like the article\'s "1,085×"', () => {
  assert.equal(formatRatio(26959.4), '26,959×');
  assert.equal(formatRatio(1.0849), '1.08×');
});

test('formatInterval: both ends in one unit, without it', () => {
  assert.equal(formatInterval(44_291_184, 63_450_818, pickTimeUnit(5e7)), '44.3–63.5');
  assert.equal(formatInterval(1_234_000, 56_789_000, pickTimeUnit(1e3)), '1,234–56,789');
});

test('pickColumnUnit: the unit of the middle value, so most cells read as 1 to 1,000', () => {
  assert.equal(pickColumnUnit([22.2, 2285, 10_874, 11_230, 34_615_202]).name, 'µs');
  assert.equal(pickColumnUnit([20_083_000, 1710, 507_000]).name, 'µs');
  assert.equal(pickColumnUnit([]).name, 'ns');
});

test('tick formats: no SI prefixes, the unit in each time tick', () => {
  assert.deepEqual([0.01, 0.1, 1, 10, 1000, 20_000, 2.5].map(formatTick), ['0.01', '0.1', '1', '10', '1,000', '20,000', '2.5']);
  assert.deepEqual([0.01, 10, 1000, 1e7, 2.5e6, 1e10].map(formatTimeTick), ['0.01 ns', '10 ns', '1 µs', '10 ms', '2.5 ms', '10 s']);
});

test('formatTime', () => {
  assert.equal(formatTime(1_234_567), '1.23 ms');
  assert.equal(formatTime(950_000, pickTimeUnit(1e6)), '0.950 ms');
});
