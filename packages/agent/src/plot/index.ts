export { plotRuns, type PlotRunsOptions, type PlotSummary } from './plot-runs.js';
export {
  aggregateSeries,
  interpolate,
  meanStd,
  type AggregateOptions,
  type AggregatePoint,
  type Series,
} from './aggregate.js';
export { loadRun, runLabel, groupRuns, type GroupBy, type LoadedRun, type RunGroup } from './load-runs.js';
export { buildChartSpec, legendName, type ChartSpecOptions, type CurveGroup } from './chart-spec.js';
export { renderSvg, svgToPng, chartFontFiles, CHART_FONT_FAMILY, type PngOptions } from './render.js';
