export {renderChart, wasChartLibraryLoaded, type ChartResult} from './chart.js';
export {renderIndex, type RenderIndexOptions} from './index-page.js';
export {renderPage, type RenderPageOptions} from './page.js';
export {resultRows} from './rows.js';
export {renderTable} from './table.js';
