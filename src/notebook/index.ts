export {
  currentOutcomes,
  dataDirVariable,
  defaultDataDir,
  display,
  loadNotebook,
  NotebookError,
  prepareNotebook,
  renderBlock,
  results,
  runAll,
  runBlock,
  type LoadedNotebook,
  type NotebookOptions,
  type NotebookSettings,
  type RenderedBlock,
  type RunSummary
} from './library.js';
export {JupyterNotebook, openNotebook} from './jupyter.js';
export {exportIpynb, importIpynb, ipynbFormat, type ExportOptions, type ImportResult} from './ipynb.js';
export {joinSegments, segmentNotebook, type Segment, type SegmentedNotebook} from './segments.js';
export {decodeTemplate, encodeTemplate} from './template.js';
