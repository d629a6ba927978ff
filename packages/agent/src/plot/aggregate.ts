/**
 * Aggregation of several runs' curves (seeds of one configuration) into mean ± standard deviation.
 *
 * Common x grid: if every run has exactly the same x values, those are used as they are. Otherwise each run is
 * linearly interpolated onto `gridPoints` evenly spaced x values spanning the range that all runs cover (from the
 * largest first x to the smallest last x); nothing is extrapolated, so a shorter run cuts the group's curve short.
 * Points whose y is not finite (NaN: no episode finished in that iteration) are dropped before interpolating.
 */

/** One run's curve. */
export interface Series {
  x: readonly number[];
  y: readonly number[];
}

/** The aggregated curve at one x: mean and sample standard deviation over `n` runs. */
export interface AggregatePoint {
  x: number;
  mean: number;
  std: number;
  n: number;
}

export interface AggregateOptions {
  /** Grid size when the runs' x values differ. Default: 200. */
  gridPoints?: number;
}

const DEFAULT_GRID_POINTS = 200;

/** Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  if (values.length === 1) return { mean, std: 0 };
  const squares = values.reduce((sum, v) => sum + (v - mean) ** 2, 0);
  return { mean, std: Math.sqrt(squares / (values.length - 1)) };
}

/** Mean ± std of `runs` on their common x grid (see the module comment). Empty if the runs share no x range. */
export function aggregateSeries(runs: readonly Series[], options: AggregateOptions = {}): AggregatePoint[] {
  const cleaned = runs.map(sortedFinite).filter((run) => run.x.length > 0);
  if (cleaned.length === 0) return [];
  const grid = sameX(cleaned) ? cleaned[0].x : evenGrid(cleaned, options.gridPoints ?? DEFAULT_GRID_POINTS);
  const columns = cleaned.map((run) => interpolate(run, grid));
  return grid.map((x, i) => ({ x, ...meanStd(columns.map((column) => column[i])), n: cleaned.length }));
}

/** Linear interpolation of `run` (x ascending) at each of `xs` (ascending too); NaN outside the run's x range. */
export function interpolate(run: Series, xs: readonly number[]): number[] {
  let segment = 0;
  return xs.map((x) => {
    const last = run.x.length - 1;
    if (x < run.x[0] || x > run.x[last]) return NaN;
    while (segment < last - 1 && run.x[segment + 1] < x) segment++;
    if (last === 0 || x === run.x[segment]) return run.y[segment];
    const [x0, x1, y0, y1] = [run.x[segment], run.x[segment + 1], run.y[segment], run.y[segment + 1]];
    return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  });
}

/** Points with finite x and y, sorted by x, keeping the last y of a repeated x. */
function sortedFinite(run: Series): Series {
  const byX = new Map<number, number>();
  run.x.forEach((x, i) => {
    if (Number.isFinite(x) && Number.isFinite(run.y[i])) byX.set(x, run.y[i]);
  });
  const x = [...byX.keys()].sort((a, b) => a - b);
  return { x, y: x.map((value) => byX.get(value) as number) };
}

function sameX(runs: readonly Series[]): boolean {
  const [first, ...rest] = runs;
  return rest.every((run) => run.x.length === first.x.length && run.x.every((x, i) => x === first.x[i]));
}

function evenGrid(runs: readonly Series[], points: number): number[] {
  const start = Math.max(...runs.map((run) => run.x[0]));
  const end = Math.min(...runs.map((run) => run.x[run.x.length - 1]));
  if (end < start) return [];
  if (end === start || points < 2) return [start];
  return Array.from({ length: points }, (_, i) => start + ((end - start) * i) / (points - 1));
}
