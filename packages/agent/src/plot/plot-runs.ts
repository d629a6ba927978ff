/**
 * plotRuns: learning curves of several training runs, averaged per group (seeds of one configuration) with a
 * ±1 standard deviation band, written as SVG or PNG according to the output file's extension.
 * Grouping: see load-runs.ts; common x grid: see aggregate.ts.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { aggregateSeries } from './aggregate.js';
import { buildChartSpec, type CurveGroup } from './chart-spec.js';
import { currentMetricName } from '../run/metrics-log.js';
import { groupRuns, loadRun, type GroupBy } from './load-runs.js';
import { renderSvg, svgToPng } from './render.js';

export interface PlotRunsOptions {
  /** Horizontal axis: iteration number or cumulative environment steps. */
  x: 'iteration' | 'env_steps';
  /** Metrics field on the vertical axis. Default: 'rollout/ep_return_mean'. */
  y?: string;
  /** Chart title. Default: none. */
  title?: string;
  /** 'label' averages runs sharing a label; 'run' draws each run alone. Default: 'label'. */
  groupBy?: GroupBy;
  /** Interpolation grid size for runs whose x values differ. Default: 200. */
  gridPoints?: number;
  /** Plot area size in pixels. Defaults: 640 × 400. */
  width?: number;
  height?: number;
  /** PNG pixel density multiplier. Default: 2. */
  pngScale?: number;
}

export interface PlotSummary {
  /** The file written. */
  out: string;
  /** The curves drawn, in legend order. */
  groups: CurveGroup[];
}

const X_TITLES = { iteration: 'Iteration', env_steps: 'Environment steps' } as const;

/** Reads every run in `runDirs`, aggregates them per group and writes the chart to `out` (.svg or .png). */
export async function plotRuns(
  runDirs: readonly string[],
  out: string,
  options: PlotRunsOptions,
): Promise<PlotSummary> {
  const format = extname(out).toLowerCase();
  if (format !== '.svg' && format !== '.png') throw new Error(`plot output must end in .svg or .png: ${out}`);
  if (runDirs.length === 0) throw new Error('plotRuns needs at least one run directory');
  // Old runs' names (episode_return_mean, kl, ...) name the same metric as the current ones.
  const yField = currentMetricName(options.y ?? 'rollout/ep_return_mean');

  const runs = await Promise.all(runDirs.map(loadRun));
  const groups: CurveGroup[] = groupRuns(runs, options.groupBy ?? 'label').map((group) => ({
    name: group.name,
    runCount: group.runs.length,
    points: aggregateSeries(
      group.runs.map((run) => ({
        x: run.rows.map((row) => row[options.x]),
        y: run.rows.map((row) => row[yField] ?? NaN),
      })),
      { gridPoints: options.gridPoints },
    ),
  }));

  const spec = buildChartSpec(groups, {
    xTitle: X_TITLES[options.x],
    yTitle: humanize(yField),
    title: options.title,
    width: options.width,
    height: options.height,
  });
  const svg = await renderSvg(spec);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, format === '.svg' ? svg : svgToPng(svg, { scale: options.pngScale }));
  return { out, groups };
}

/** `rollout/ep_return_mean` → `Episode return mean`, `train/kl` → `Kl`. */
function humanize(field: string): string {
  const words = field
    .slice(field.lastIndexOf('/') + 1)
    .replace(/^ep_/, 'episode_')
    .replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
