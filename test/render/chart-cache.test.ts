import assert from 'node:assert/strict';
import test from 'node:test';
import {chartKey} from '../../src/render/chart.js';
import {renderChart, wasChartLibraryLoaded} from '../../src/render/index.js';
import type {ChartCache} from '../../src/render/types.js';

// Its own file (so its own process): nothing may have loaded jsdom before this test.
test('renderChart with a cache hit loads neither jsdom nor Plot', async () => {
  const code = 'Plot.plot({marks: [Plot.barX(data, {x: "median"})]})';
  const rows = [
    {key: 'a', block: 'a', label: 'a', runtime: 'python', version: '3.11.7', status: 'ok', n: 1, min: 1, median: 1, mean: 1, max: 1, stddev: 0, mad: 0, ciLow: 1, ciHigh: 1}
  ];
  const gets: string[] = [];
  const cache: ChartCache = {
    async get(hash) {
      gets.push(hash);
      return hash === chartKey(code, rows) ? '<svg>cached</svg>' : undefined;
    },
    async set() {
      assert.fail('a cache hit must not be written again');
    }
  };
  assert.deepEqual(await renderChart(code, rows, {chartCache: cache}), {svg: '<svg>cached</svg>'});
  assert.deepEqual(gets, [chartKey(code, rows)]);
  assert.equal(wasChartLibraryLoaded(), false);
});
