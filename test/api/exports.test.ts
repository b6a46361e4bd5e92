import assert from 'node:assert/strict';
import {test} from 'node:test';
import * as benchbook from '../../src/index.js';

test('the public API exports exactly these names', () => {
  // A change here is a change of the public API: update README.md and docs/jupyter.md with it.
  assert.deepEqual(Object.keys(benchbook).sort(), [
    'JupyterNotebook',
    'NotebookError',
    'buildReport',
    'dataDirVariable',
    'decodeTemplate',
    'display',
    'encodeTemplate',
    'exportIpynb',
    'formatMessage',
    'importIpynb',
    'loadNotebook',
    'openNotebook',
    'parseNotebook',
    'planNotebook',
    'renderBlock',
    'renderChart',
    'renderTable',
    'resultRows',
    'results',
    'runAll',
    'runBlock'
  ]);
});

test('the package root is the built src/index.js, as package.json says', async () => {
  const fromPackage = await import('benchbook');
  assert.deepEqual(Object.keys(fromPackage).sort(), Object.keys(benchbook).sort());
});
