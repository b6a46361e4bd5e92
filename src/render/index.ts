export {renderChart, wasChartLibraryLoaded, type ChartOptions, type ChartResult} from './chart.js';
export {indexEntry, renderIndex, type RenderIndexOptions} from './index-page.js';
export {renderPage, type RenderPageOptions} from './page.js';
export {articleRows, resultRows, sampleRows} from './rows.js';
export {renderTable} from './table.js';
export {addClaimCounts, countClaims, formatClaimFigure, renderClaim, renderClaimSummary} from './claim.js';
