// The one place the chart app reaches into src/core: the drawing and data types it shares with `graft norms --svg`
// (eslint.config.mjs allows exactly these two modules in webview/).
export { drawNormChart, type NormChartSpec } from '../../src/core/stats/normChart';
export { PROFILE_KINDS, type NormProfile, type ProfileKind, type ProfileLayer } from '../../src/core/stats/types';
