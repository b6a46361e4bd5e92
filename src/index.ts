/** benchbook's public API: re-exports only; test/api/exports.test.ts pins the list. */
export {buildReport, type ReportEffects, type ReportOptions, type ReportSummary} from './report.js';
export {formatMessage, parseNotebook, type Block, type Notebook, type NotebookMessage, type ParseResult} from './parse/index.js';
export {planNotebook, type Plan, type PlannedRun} from './plan/index.js';
export {renderChart, renderTable, resultRows} from './render/index.js';
export type {BlockOutcome} from './model/index.js';
export type {ResultRow} from './render/types.js';
export {
  dataDirVariable,
  decodeTemplate,
  display,
  encodeTemplate,
  exportIpynb,
  importIpynb,
  JupyterNotebook,
  loadNotebook,
  NotebookError,
  openNotebook,
  renderBlock,
  results,
  runAll,
  runBlock,
  type ExportOptions,
  type ImportResult,
  type LoadedNotebook,
  type NotebookOptions,
  type RenderedBlock,
  type RunSummary
} from './notebook/index.js';
