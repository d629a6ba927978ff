/**
 * The comparison report: a Figure-2-style plot (mean ± std of the episode return against env steps, one curve per
 * algorithm over its seeds, drawn by plot/), a Markdown table and the same numbers as JSON.
 *
 * Per run, from metrics.jsonl (rollout/ep_return_mean is the mean of the last 10 finished episodes):
 *   final return        rollout/ep_return_mean of the last iteration
 *   best return         the highest rollout/ep_return_mean of any iteration
 *   steps to threshold  env_steps of the first iteration with rollout/ep_return_mean ≥ threshold
 *   wall time           time/wall_s of the last iteration
 * Per algorithm the table gives mean ± std over seeds, and for steps to threshold the median over the seeds that
 * reached it and how many did.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadRun, meanStd, plotRuns, type LoadedRun } from '../plot/index.js';

export const REPORT_MARKDOWN = 'report.md';
export const REPORT_JSON = 'summary.json';
export const REPORT_PLOT = 'curves.png';

export interface RunSummary {
  seed: number;
  envSteps: number;
  finalReturn: number;
  bestReturn: number;
  /** null: never reached the threshold (or there is none). */
  stepsToThreshold: number | null;
  wallSeconds: number;
}

export interface VariantSummary {
  variant: string;
  runs: RunSummary[];
}

export function summarizeRun(seed: number, run: LoadedRun, threshold: number | null): RunSummary {
  const returnMean = (row: (typeof run.rows)[number]) => row['rollout/ep_return_mean'];
  const rows = run.rows.filter((row) => Number.isFinite(returnMean(row)));
  const last = run.rows[run.rows.length - 1];
  const reached = threshold === null ? undefined : rows.find((row) => returnMean(row) >= threshold);
  return {
    seed,
    envSteps: last?.env_steps ?? 0,
    finalReturn: rows.length > 0 ? returnMean(rows[rows.length - 1]) : Number.NaN,
    bestReturn: rows.length > 0 ? Math.max(...rows.map(returnMean)) : Number.NaN,
    stepsToThreshold: reached ? reached.env_steps : null,
    wallSeconds: last?.['time/wall_s'] ?? Number.NaN,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const plusMinus = (values: number[], digits: number) => {
  const { mean, std } = meanStd(values.filter(Number.isFinite));
  return Number.isFinite(mean) ? `${mean.toFixed(digits)} ± ${std.toFixed(digits)}` : '–';
};
const count = (n: number) =>
  n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(Math.round(n));

export function markdownTable(summaries: readonly VariantSummary[], threshold: number | null, seeds: number): string {
  const header = `| algorithm | runs | env steps | final return | best return | steps to ${threshold ?? 'threshold'} (median, reached) | wall time per run (s) |`;
  const lines = [header, '|---|---:|---:|---:|---:|---:|---:|'];
  for (const { variant, runs } of summaries) {
    const reached = runs.map((r) => r.stepsToThreshold).filter((s): s is number => s !== null);
    const stepsCell =
      threshold === null
        ? '–'
        : reached.length === 0
          ? `not reached (0/${runs.length})`
          : `${count(median(reached))} (${reached.length}/${runs.length})`;
    lines.push(
      `| ${variant} | ${runs.length}/${seeds} | ${count(Math.min(...runs.map((r) => r.envSteps)))} | ${plusMinus(
        runs.map((r) => r.finalReturn),
        1,
      )} | ` +
        `${plusMinus(
          runs.map((r) => r.bestReturn),
          1,
        )} | ${stepsCell} | ${plusMinus(
          runs.map((r) => r.wallSeconds),
          0,
        )} |`,
    );
  }
  return lines.join('\n');
}

export interface ReportOptions {
  out: string;
  envId: string;
  budget: number;
  seeds: number;
  threshold: number | null;
  /** Run directories per variant, in legend order (only those with metrics). */
  runs: { variant: string; seed: number; dir: string }[];
}

/** Writes curves.png, report.md and summary.json into `out`; returns the Markdown. */
export async function writeReport(options: ReportOptions): Promise<string> {
  const loaded = await Promise.all(
    options.runs.map(async (r) => ({ ...r, run: await loadRun(r.dir).catch(() => null) })),
  );
  const present = loaded.filter((r) => r.run !== null && r.run.rows.length > 0);
  const variants = [...new Set(present.map((r) => r.variant))];
  const summaries: VariantSummary[] = variants.map((variant) => ({
    variant,
    runs: present.filter((r) => r.variant === variant).map((r) => summarizeRun(r.seed, r.run!, options.threshold)),
  }));
  const title = `${options.envId}: episode return (mean ± std over seeds)`;
  if (present.length > 0)
    await plotRuns(
      present.map((r) => r.dir),
      join(options.out, REPORT_PLOT),
      { x: 'env_steps', title },
    );
  const markdown = [
    `# ${options.envId}: ${variants.join(', ')}`,
    '',
    `${options.seeds} seeds per algorithm, budget ${count(options.budget)} env steps per run` +
      (options.threshold === null ? '.' : `, threshold ${options.threshold}.`),
    '',
    `![learning curves](${REPORT_PLOT})`,
    '',
    markdownTable(summaries, options.threshold, options.seeds),
    '',
    'final / best return: mean ± std over seeds of the mean return of the last 10 episodes (at the end / at its best);',
    'steps to threshold: median over the seeds that reached it. Run logs: runs/<algorithm>/seed<k>/train.log.',
    '',
  ].join('\n');
  await writeFile(join(options.out, REPORT_MARKDOWN), markdown);
  await writeFile(
    join(options.out, REPORT_JSON),
    `${JSON.stringify({ envId: options.envId, budget: options.budget, threshold: options.threshold, summaries }, null, 2)}\n`,
  );
  return markdown;
}
