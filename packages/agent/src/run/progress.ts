/**
 * Progress output for long training runs:
 * - one plain, aligned log line per iteration (formatIterationLine), always printed;
 * - on a TTY, additionally a single-line progress bar under the log lines, redrawn in place with \r.
 * Non-TTY streams (CI logs, files) get only the log lines.
 */

/**
 * Short labels for the words metric names are made of, so a line stays readable: `train/entropy` shows as `ent`,
 * `time/line_search_ms` as `ls`. Words not listed show as they are.
 */
const SHORT_WORDS: readonly [RegExp, string][] = [
  [/explained_variance/, 'ev'],
  [/line_search_steps/, 'ls'],
  [/line_search/, 'ls'],
  [/log_likelihood/, 'loglik'],
  [/surrogate/, 'surr'],
  [/entropy/, 'ent'],
  [/sampling/, 'samp'],
  [/forward/, 'fwd'],
  [/gradient/, 'grad'],
  [/accepted/, 'acc'],
];

const shortLabel = (name: string) =>
  SHORT_WORDS.reduce((label, [word, short]) => label.replace(word, short), name.slice(name.lastIndexOf('/') + 1));

/** The row's fields that the line shows itself or leaves to the bar. */
const FIXED_FIELDS = new Set([
  'iteration',
  'env_steps',
  'time/wall_s',
  'rollout/ep_return_mean',
  'rollout/ep_length_mean',
  'rollout/episodes',
]);

/**
 * One compact, column-aligned line for a metrics row, e.g. for TRPO (wrapped here)
 *   it  12/500  steps  120.0k  ret   -123.46  len  200.0  surr -1.20e-3→3.40e-3  kl  9.87e-3  ent    1.234  ls 1
 *   acc 1  ev   0.873  ms samp 1234 fwd 12 grad 34 cg 56 ls 7 vf 89
 * Iteration, env steps, mean episode return and length come first; then every metric the algorithm reported, in
 * its order (a `…_before` / `…_after` pair as `before→after`); then the `time/…_ms` metrics in milliseconds.
 * NaN prints as "-".
 */
export function formatIterationLine(row: Readonly<Record<string, number>>, totalIterations?: number): string {
  const iteration =
    totalIterations === undefined
      ? String(row.iteration).padStart(5)
      : `${String(row.iteration).padStart(String(totalIterations).length)}/${totalIterations}`;
  const fields = [
    `it ${iteration}`,
    `steps ${formatCount(row.env_steps).padStart(7)}`,
    `ret ${fixed(row['rollout/ep_return_mean'], 2).padStart(9)}`,
    `len ${fixed(row['rollout/ep_length_mean'], 1).padStart(6)}`,
  ];
  const timings: string[] = [];
  for (const [name, value] of Object.entries(row)) {
    if (FIXED_FIELDS.has(name) || name.endsWith('_after')) continue;
    if (name.startsWith('time/') && name.endsWith('_ms')) {
      timings.push(`${shortLabel(name.slice(0, -3))} ${Math.round(value)}`);
    } else if (name.endsWith('_before') && `${name.slice(0, -7)}_after` in row) {
      fields.push(`${shortLabel(name.slice(0, -7))} ${compact(value)}→${compact(row[`${name.slice(0, -7)}_after`])}`);
    } else {
      fields.push(`${shortLabel(name)} ${compact(value).padStart(Number.isInteger(value) ? 1 : 8)}`);
    }
  }
  if (timings.length > 0) fields.push(`ms ${timings.join(' ')}`);
  return fields.join('  ');
}

/** Where progress goes: a writable with the TTY properties of process.stdout. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressDisplayOptions {
  /** Target value of the bar: the number of iterations or of env steps, per `unit`. */
  total: number;
  /** What the bar counts. Default: 'iterations'. */
  unit?: 'iterations' | 'env_steps';
  /** Output stream. Default: process.stdout. */
  stream?: ProgressStream;
  /** Draw the bar. Default: stream.isTTY. */
  tty?: boolean;
  /** Width of the bar itself in characters. Default: 24. */
  barWidth?: number;
  /** Progress already made when this display starts (resumed runs); the ETA counts only progress since. Default: 0. */
  initial?: number;
  /** Clock in milliseconds. Default: Date.now. */
  now?: () => number;
}

export class ProgressDisplay {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly unit: 'iterations' | 'env_steps';
  private readonly barWidth: number;
  private readonly initial: number;
  private readonly now: () => number;
  private readonly startedAt: number;
  private bar: string | undefined;

  constructor(private readonly options: ProgressDisplayOptions) {
    this.stream = options.stream ?? process.stdout;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.unit = options.unit ?? 'iterations';
    this.barWidth = options.barWidth ?? 24;
    this.initial = options.initial ?? 0;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
  }

  /** Prints the line of a metrics row and, on a TTY, redraws the bar below it. */
  iteration(row: Readonly<Record<string, number>>, totalIterations?: number): void {
    this.log(formatIterationLine(row, totalIterations));
    if (!this.tty) return;
    const done = this.unit === 'iterations' ? row.iteration : row.env_steps;
    const elapsedMs = this.now() - this.startedAt;
    const layout = { unit: this.unit, barWidth: this.barWidth, initial: this.initial };
    this.bar = this.fitToWidth(
      formatProgressBar(done, this.options.total, elapsedMs, row['rollout/ep_return_mean'], layout),
    );
    this.stream.write(`\r\x1b[K${this.bar}`);
  }

  /** Prints a line above the bar (the bar is redrawn under it). */
  log(line: string): void {
    if (this.bar === undefined) {
      this.stream.write(`${line}\n`);
      return;
    }
    this.stream.write(`\r\x1b[K${line}\n${this.bar}`);
  }

  /** Ends the bar's line so later output starts on a fresh one. */
  finish(): void {
    if (this.bar !== undefined) this.stream.write('\n');
    this.bar = undefined;
  }

  private fitToWidth(line: string): string {
    const columns = this.stream.columns;
    return columns !== undefined && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
  }
}

/** `[#######-----------------]  12/500 it   2.4%  elapsed 1m02s  ETA 40m12s  ret -123.45` */
export function formatProgressBar(
  done: number,
  total: number,
  elapsedMs: number,
  lastReturn: number,
  layout: { unit: 'iterations' | 'env_steps'; barWidth: number; initial: number },
): string {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(fraction * layout.barWidth);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(layout.barWidth - filled)}]`;
  const counts =
    layout.unit === 'iterations' ? `${done}/${total} it` : `${formatCount(done)}/${formatCount(total)} steps`;
  const madeSinceStart = done - layout.initial;
  const etaMs = madeSinceStart > 0 ? (elapsedMs / madeSinceStart) * Math.max(0, total - done) : NaN;
  return [
    bar,
    counts,
    `${(fraction * 100).toFixed(1).padStart(5)}%`,
    `elapsed ${formatDuration(elapsedMs)}`,
    `ETA ${formatDuration(etaMs)}`,
    `ret ${fixed(lastReturn, 2)}`,
  ].join('  ');
}

/** `45s`, `3m05s`, `2h07m`; `-` when unknown. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** `950`, `120.0k`, `1.20M`, `3.00G`. */
export function formatCount(count: number): string {
  const abs = Math.abs(count);
  if (abs < 1e3) return String(count);
  if (abs < 1e6) return `${(count / 1e3).toFixed(1)}k`;
  if (abs < 1e9) return `${(count / 1e6).toFixed(2)}M`;
  return `${(count / 1e9).toFixed(2)}G`;
}

function fixed(value: number | undefined, digits: number): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e7 || abs < 10 ** -digits) ? scientific(value) : value.toFixed(digits);
}

function scientific(value: number): string {
  return Number.isNaN(value) ? '-' : value.toExponential(2).replace('e+', 'e');
}

/** Integers as they are; otherwise 4 significant digits, in scientific notation when very small or large. */
function compact(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  return abs !== 0 && (abs < 1e-2 || abs >= 1e5) ? scientific(value) : String(Number(value.toPrecision(4)));
}
