/**
 * Progress output for long training runs:
 * - one plain, aligned log line per iteration (formatIterationLine), always printed;
 * - on a TTY, additionally a single-line progress bar under the log lines, redrawn in place with \r.
 * Non-TTY streams (CI logs, files) get only the log lines.
 */

/** Milliseconds spent in each phase of one iteration; phases an algorithm lacks are left out. */
export interface IterationTimings {
  sampling?: number;
  forward?: number;
  gradient?: number;
  cg?: number;
  lineSearch?: number;
  vf?: number;
}

/** What one iteration line shows. NaN (e.g. no episode finished yet) prints as "-". */
export interface IterationStats {
  iteration: number;
  /** Planned number of iterations; shown as `iteration/total` when given. */
  totalIterations?: number;
  /** Environment steps so far (cumulative). */
  envSteps: number;
  episodeReturnMean: number;
  episodeLengthMean: number;
  kl: number;
  entropy: number;
  /** Surrogate objective before and after the update. */
  surrogateBefore: number;
  surrogateAfter: number;
  /** Backtracking steps the line search took (0 = full step accepted). */
  lineSearchSteps: number;
  /** Explained variance of the value baseline, when there is one. */
  explainedVariance?: number;
  timingsMs: IterationTimings;
}

const TIMING_LABELS: readonly [keyof IterationTimings, string][] = [
  ['sampling', 'samp'],
  ['forward', 'fwd'],
  ['gradient', 'grad'],
  ['cg', 'cg'],
  ['lineSearch', 'ls'],
  ['vf', 'vf'],
];

/**
 * One compact, column-aligned line, e.g. (wrapped here)
 *   it  12/500  steps  120.0k  ret   -123.46  len  200.0  kl  9.87e-3  ent  1.234  surr -1.20e-3→+3.40e-3  ls  1
 *   ev  0.87  ms samp 1234 fwd 12 grad 34 cg 56 ls 7 vf 89
 * Fields: iteration, env steps, mean episode return and length, KL, entropy, surrogate before→after the update,
 * line-search backtracking steps, explained variance, and milliseconds per phase.
 */
export function formatIterationLine(stats: IterationStats): string {
  const total = stats.totalIterations;
  const iteration =
    total === undefined
      ? String(stats.iteration).padStart(5)
      : `${String(stats.iteration).padStart(String(total).length)}/${total}`;
  const timings = TIMING_LABELS.filter(([key]) => stats.timingsMs[key] !== undefined)
    .map(([key, label]) => `${label} ${Math.round(stats.timingsMs[key] as number)}`)
    .join(' ');
  const fields = [
    `it ${iteration}`,
    `steps ${formatCount(stats.envSteps).padStart(7)}`,
    `ret ${fixed(stats.episodeReturnMean, 2).padStart(9)}`,
    `len ${fixed(stats.episodeLengthMean, 1).padStart(6)}`,
    `kl ${scientific(stats.kl).padStart(8)}`,
    `ent ${fixed(stats.entropy, 3).padStart(6)}`,
    `surr ${signedScientific(stats.surrogateBefore)}→${signedScientific(stats.surrogateAfter)}`,
    `ls ${String(stats.lineSearchSteps).padStart(2)}`,
  ];
  if (stats.explainedVariance !== undefined) fields.push(`ev ${fixed(stats.explainedVariance, 2).padStart(5)}`);
  if (timings) fields.push(`ms ${timings}`);
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

  /** Prints the iteration's log line and, on a TTY, redraws the bar below it. */
  iteration(stats: IterationStats): void {
    this.log(formatIterationLine(stats));
    if (!this.tty) return;
    const done = this.unit === 'iterations' ? stats.iteration : stats.envSteps;
    const elapsedMs = this.now() - this.startedAt;
    const layout = { unit: this.unit, barWidth: this.barWidth, initial: this.initial };
    this.bar = this.fitToWidth(formatProgressBar(done, this.options.total, elapsedMs, stats.episodeReturnMean, layout));
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

function fixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return '-';
  const abs = Math.abs(value);
  return abs !== 0 && (abs >= 1e7 || abs < 10 ** -digits) ? scientific(value) : value.toFixed(digits);
}

function scientific(value: number): string {
  return Number.isNaN(value) ? '-' : value.toExponential(2).replace('e+', 'e');
}

function signedScientific(value: number): string {
  const text = scientific(value);
  return value >= 0 ? `+${text}` : text;
}
