/**
 * Tables and plots of `pnpm bench:vs-sb3` results, computed from the saved run records only (so they can be rebuilt
 * without rerunning): per implementation (and label), the deterministic return at each checkpoint as mean ± std over
 * seeds of each seed's mean over its evaluation episodes, the training wall and CPU time, env steps per second, and
 * the ratios of vinegym to sb3-contrib.
 */
import { writeFile } from 'node:fs/promises';
import { aggregateSeries, buildChartSpec, meanStd, renderSvg, svgToPng, type CurveGroup } from '@vinegym/agent/plot';
import type { Evaluation, RunRecord } from './run-record.js';

export interface GroupSummary {
  name: string;
  impl: RunRecord['impl'];
  seeds: number[];
  /** Per checkpoint: mean ± std over seeds (and n) of the seeds' mean deterministic returns. */
  checkpoints: { steps: number; mean: number; std: number; n: number }[];
  envSteps: { mean: number; std: number };
  wall: { mean: number; std: number };
  cpu: { mean: number; std: number };
  stepsPerSecond: { mean: number; std: number };
  /** 1-minute load averages seen before and after the runs (min, max). */
  load: [number, number] | null;
}

export function groupName(run: RunRecord): string {
  return run.label ?? (run.impl === 'sb3-contrib' ? 'sb3-contrib TRPO' : 'vinegym TRPO');
}

/** The first evaluation at or after `steps` env steps (checkpoints fall between updates). */
export function evaluationAt(run: RunRecord, steps: number): Evaluation | undefined {
  return run.evaluations.find((e) => e.steps >= steps);
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function summarize(runs: readonly RunRecord[], checkpoints: readonly number[]): GroupSummary[] {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) groups.set(groupName(run), [...(groups.get(groupName(run)) ?? []), run]);
  return [...groups.entries()].map(([name, members]) => {
    const loads = members.flatMap((r) => (r.load ? [r.load.before, r.load.after] : []));
    return {
      name,
      impl: members[0].impl,
      seeds: members.map((r) => r.seed),
      checkpoints: checkpoints.map((steps) => {
        const values = members.flatMap((r) => {
          const e = evaluationAt(r, steps);
          return e ? [mean(e.returns)] : [];
        });
        return { steps, ...meanStd(values), n: values.length };
      }),
      envSteps: meanStd(members.map((r) => r.env_steps)),
      wall: meanStd(members.map((r) => r.wall_s)),
      cpu: meanStd(members.map((r) => r.cpu_s)),
      stepsPerSecond: meanStd(members.map((r) => r.env_steps / r.wall_s)),
      load: loads.length > 0 ? [Math.min(...loads), Math.max(...loads)] : null,
    };
  });
}

const fmt = (v: number, digits = 0) =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '–';
const pm = (s: { mean: number; std: number }, digits = 0) => `${fmt(s.mean, digits)} ± ${fmt(s.std, digits)}`;
const kSteps = (steps: number) =>
  steps >= 1e6 && steps % 1e6 === 0 ? `${steps / 1e6}M` : `${Math.round(steps / 1000)}k`;

/**
 * One markdown table, a row per group; when the sb3-contrib group is present, each vinegym group gets a ratio row:
 * return ratio per checkpoint, speed-up in wall time and CPU time, and whether its mean return is at least
 * sb3-contrib's mean minus one standard error.
 */
export function markdownTable(summaries: readonly GroupSummary[]): string {
  const checkpoints = summaries[0]?.checkpoints.map((c) => c.steps) ?? [];
  const header = [
    'implementation',
    'seeds',
    ...checkpoints.map((s) => `return @${kSteps(s)}`),
    'wall s',
    'CPU s',
    'env steps/s',
    'load (1 min)',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const g of summaries) {
    lines.push(
      `| ${[
        g.name,
        String(g.seeds.length),
        ...g.checkpoints.map((c) => (c.n === 0 ? '–' : `${pm(c)}${c.n < g.seeds.length ? ` (n=${c.n})` : ''}`)),
        pm(g.wall),
        pm(g.cpu),
        pm(g.stepsPerSecond),
        g.load ? `${g.load[0].toFixed(1)}–${g.load[1].toFixed(1)}` : '–',
      ].join(' | ')} |`,
    );
  }
  const reference = summaries.find((g) => g.impl === 'sb3-contrib');
  if (reference) {
    for (const g of summaries.filter((s) => s.impl === 'vinegym')) {
      const cells = g.checkpoints.map((c, i) => {
        const r = reference.checkpoints[i];
        const standardError = r.n > 1 ? r.std / Math.sqrt(r.n) : 0;
        const meets = c.mean >= r.mean - standardError;
        return `${fmt(c.mean / r.mean, 2)}x ${meets ? '(≥ sb3 − SE)' : '(< sb3 − SE)'}`;
      });
      lines.push(
        `| ${[`ratio ${g.name} / sb3`, '', ...cells, `${fmt(reference.wall.mean / g.wall.mean, 2)}x faster`, `${fmt(reference.cpu.mean / g.cpu.mean, 2)}x less`, `${fmt(g.stepsPerSecond.mean / reference.stepsPerSecond.mean, 2)}x`, ''].join(' | ')} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Every run's own numbers, for the docs' per-seed listings. */
export function perSeedTable(runs: readonly RunRecord[], checkpoints: readonly number[]): string {
  const header = [
    'implementation',
    'seed',
    ...checkpoints.map((s) => `@${kSteps(s)}`),
    'env steps',
    'wall s',
    'CPU s',
    'load before/after',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const run of runs) {
    const cells = checkpoints.map((steps) => {
      const e = evaluationAt(run, steps);
      return e ? pm(meanStd(e.returns)) : '–';
    });
    const load = run.load ? `${run.load.before.toFixed(1)}/${run.load.after.toFixed(1)}` : '–';
    lines.push(
      `| ${[groupName(run), String(run.seed), ...cells, fmt(run.env_steps), fmt(run.wall_s), fmt(run.cpu_s), load].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/**
 * Two panels with one curve per group (mean ± std over seeds of the deterministic evaluation returns): against
 * env steps and against training wall time.
 */
export async function plotComparison(runs: readonly RunRecord[], title: string, pngPath: string): Promise<void> {
  const groups = new Map<string, RunRecord[]>();
  for (const run of runs) groups.set(groupName(run), [...(groups.get(groupName(run)) ?? []), run]);
  const curves = (x: 'steps' | 'wall_s'): CurveGroup[] =>
    [...groups.entries()].map(([name, members]) => ({
      name,
      runCount: members.length,
      points: aggregateSeries(
        members.map((r) => ({ x: r.evaluations.map((e) => e[x]), y: r.evaluations.map((e) => mean(e.returns)) })),
      ),
    }));
  const panel = (x: 'steps' | 'wall_s', xTitle: string) => {
    const {
      $schema: _schema,
      config: _config,
      background: _background,
      ...rest
    } = buildChartSpec(curves(x), {
      xTitle,
      yTitle: 'return (deterministic, 10 episodes)',
      width: 460,
      height: 320,
    }) as unknown as Record<string, unknown>;
    // One shared legend above both panels instead of each panel's corner legend.
    for (const layer of rest.layer as { encoding: { color: { legend: Record<string, unknown> } } }[])
      layer.encoding.color.legend.orient = 'top';
    return rest;
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    background: 'white',
    config: { font: 'DejaVu Sans', view: { stroke: '#888' } },
    hconcat: [panel('steps', 'env steps'), panel('wall_s', 'training wall time (s)')],
  } as unknown as Parameters<typeof renderSvg>[0];
  await writeFile(pngPath, svgToPng(await renderSvg(spec)));
}
