import assert from 'node:assert/strict';
import test from 'node:test';
import * as render from '../../src/render/index.js';

test('render exports', () => {
  assert.deepEqual(Object.keys(render).sort(), [
    'addClaimCounts',
    'articleRows',
    'countClaims',
    'formatClaimFigure',
    'indexEntry',
    'renderChart',
    'renderClaim',
    'renderClaimSummary',
    'renderIndex',
    'renderPage',
    'renderTable',
    'resultRows',
    'sampleRows',
    'wasChartLibraryLoaded'
  ]);
});
