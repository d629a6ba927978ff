/**
 * The Vega-Lite specification of a learning-curve chart: per group a line of the mean and a shaded band of
 * mean ± one standard deviation, against iterations or environment steps (like Figure 2 of the TRPO paper).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { AggregatePoint } from './aggregate.js';

export interface CurveGroup {
  name: string;
  /** How many runs the group averages. */
  runCount: number;
  points: readonly AggregatePoint[];
}

export interface ChartSpecOptions {
  xTitle: string;
  yTitle: string;
  title?: string;
  /** Plot area size in pixels. Defaults: 640 × 400. */
  width?: number;
  height?: number;
  /** Font family of all text. Default: 'DejaVu Sans' (the font the PNG renderer is given). */
  font?: string;
}

/** Legend entry of a group: its name and, when it averages several runs, how many. */
export function legendName(group: CurveGroup): string {
  return group.runCount > 1 ? `${group.name} (n=${group.runCount})` : group.name;
}

export function buildChartSpec(groups: readonly CurveGroup[], options: ChartSpecOptions): TopLevelSpec {
  const values = groups.flatMap((group) =>
    group.points.map((point) => ({
      group: legendName(group),
      x: point.x,
      mean: point.mean,
      lower: point.mean - point.std,
      upper: point.mean + point.std,
    })),
  );
  const color = {
    field: 'group',
    type: 'nominal' as const,
    title: null,
    sort: groups.map(legendName),
    legend: {
      orient: 'bottom-right' as const,
      labelLimit: 400,
      fillColor: 'rgba(255,255,255,0.85)',
      padding: 6,
      symbolType: 'stroke',
      symbolStrokeWidth: 3,
      symbolOpacity: 1,
    },
  };
  const x = { field: 'x', type: 'quantitative' as const, title: options.xTitle, scale: { nice: false } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 640,
    height: options.height ?? 400,
    background: 'white',
    config: { font: options.font ?? 'DejaVu Sans', view: { stroke: '#888' } },
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'lower', type: 'quantitative', title: options.yTitle, stack: null, scale: { zero: false } },
          y2: { field: 'upper' },
          color,
        },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: options.yTitle },
          color,
        },
      },
    ],
  };
}
