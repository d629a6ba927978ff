/**
 * Per-iteration metrics of a run, written twice: `metrics.csv` (for spreadsheets and pandas) and `metrics.jsonl`
 * (one JSON object per line; what the plotting code reads). Every row has `iteration` and `env_steps`, the
 * trainer's `time/wall_s` and `rollout/ep_return_mean`, and whatever else the algorithm reported, under
 * namespaced names (`train/kl`, `time/cg_ms`, `cem/best_score`, ...).
 *
 * CSV columns are fixed when the file is first written: the required columns in the order of
 * REQUIRED_METRIC_COLUMNS, then the first row's other keys in alphabetical order. Later rows fill those columns
 * (missing values are empty cells); keys unknown to the header go to the JSONL only. Reopening an existing run
 * keeps the header already on disk, so appends never repeat it.
 *
 * Values are numbers. Non-finite values are written as `NaN` / `Infinity` in the CSV and as null in the JSONL
 * (JSON has no NaN).
 *
 * Runs written before the names were namespaced (`episode_return_mean`, `kl`, `time_cg_ms`, ...) read back under
 * the current names (currentMetricName), and a resumed one has its files rewritten with them.
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

/** One iteration's metrics: the required fields plus any other numeric ones. */
export interface IterationMetrics {
  iteration: number;
  /** Environment steps taken so far (cumulative). */
  env_steps: number;
  /** Seconds since the run started (cumulative across resumes). */
  'time/wall_s': number;
  /** Mean return of the most recent finished episodes. */
  'rollout/ep_return_mean': number;
  [field: string]: number;
}

/** Columns every row has, in their CSV order. */
export const REQUIRED_METRIC_COLUMNS = ['iteration', 'env_steps', 'time/wall_s', 'rollout/ep_return_mean'] as const;

/** Pre-namespace names that the prefix rule of currentMetricName does not cover. */
const LEGACY_NAMES: Readonly<Record<string, string>> = {
  wall_s: 'time/wall_s',
  episode_return_mean: 'rollout/ep_return_mean',
  episode_length_mean: 'rollout/ep_length_mean',
  episodes: 'rollout/episodes',
  kl: 'train/kl',
  entropy: 'train/entropy',
  surrogate_before: 'train/surrogate_before',
  surrogate_after: 'train/surrogate_after',
  line_search_steps: 'train/line_search_steps',
  accepted: 'train/accepted',
  explained_variance: 'train/explained_variance',
};

/** The current name of a metric that a run may have written under its pre-namespace name. */
export function currentMetricName(name: string): string {
  if (name in LEGACY_NAMES) return LEGACY_NAMES[name];
  const prefix = /^(time|cem|rwr)_(.+)$/.exec(name);
  return prefix ? `${prefix[1]}/${prefix[2]}` : name;
}

const renameKeys = (row: Record<string, number>): IterationMetrics =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [currentMetricName(key), value])) as IterationMetrics;

export const METRICS_CSV = 'metrics.csv';
export const METRICS_JSONL = 'metrics.jsonl';

/** CSV column order for a log whose first row is `row` (see the module comment). */
export function metricColumns(row: Readonly<Record<string, number>>): string[] {
  const required: readonly string[] = REQUIRED_METRIC_COLUMNS;
  const extra = Object.keys(row)
    .filter((key) => !required.includes(key))
    .sort();
  return [...required, ...extra];
}

/** Appends rows to `metrics.csv` and `metrics.jsonl` in one directory. Await each call before the next. */
export class MetricsLog {
  private constructor(
    readonly dir: string,
    private columns: string[] | undefined,
  ) {}

  /** Opens the log in `dir`, picking up the CSV header of an existing `metrics.csv`. */
  static async open(dir: string): Promise<MetricsLog> {
    const csv = await readTextOrEmpty(join(dir, METRICS_CSV));
    const headerEnd = csv.indexOf('\n');
    return new MetricsLog(dir, headerEnd > 0 ? csv.slice(0, headerEnd).split(',') : undefined);
  }

  get csvPath(): string {
    return join(this.dir, METRICS_CSV);
  }

  get jsonlPath(): string {
    return join(this.dir, METRICS_JSONL);
  }

  async append(row: IterationMetrics): Promise<void> {
    validateRow(row);
    let csv = '';
    if (!this.columns) {
      this.columns = metricColumns(row);
      csv += `${this.columns.join(',')}\n`;
    }
    csv += `${this.columns.map((column) => (column in row ? String(row[column]) : '')).join(',')}\n`;
    await appendFile(this.jsonlPath, `${JSON.stringify(orderKeys(row, this.columns))}\n`);
    await appendFile(this.csvPath, csv);
  }

  /**
   * Drops every row whose iteration is greater than `iteration` (and any partial last line left by a crash), so
   * that a run resumed from that iteration's checkpoint continues the curve without duplicates or gaps.
   */
  async truncateAfter(iteration: number): Promise<void> {
    const jsonl = await readTextOrEmpty(this.jsonlPath);
    const keptJson = completeLines(jsonl).flatMap((line) => {
      const parsed = parseMetricsLine(line);
      return parsed !== undefined && parsed.iteration <= iteration ? [JSON.stringify(parsed)] : [];
    });
    await writeFileAtomic(this.jsonlPath, keptJson.map((line) => `${line}\n`).join(''));

    const csv = await readTextOrEmpty(this.csvPath);
    const [header, ...rows] = completeLines(csv);
    if (header === undefined) return;
    this.columns = header.split(',').map(currentMetricName);
    const iterationIndex = this.columns.indexOf('iteration');
    const keptCsv = rows.filter((line) => Number(line.split(',')[iterationIndex]) <= iteration);
    await writeFileAtomic(this.csvPath, [this.columns.join(','), ...keptCsv].map((line) => `${line}\n`).join(''));
  }
}

/** Reads every complete row of a `metrics.jsonl` file; JSON nulls (non-finite values) come back as NaN. */
export async function readMetricsJsonl(path: string): Promise<IterationMetrics[]> {
  const rows: IterationMetrics[] = [];
  for (const line of completeLines(await readFile(path, 'utf8'))) {
    const row = parseMetricsLine(line);
    if (row) rows.push(row);
  }
  return rows;
}

function validateRow(row: Readonly<Record<string, unknown>>): void {
  for (const column of REQUIRED_METRIC_COLUMNS) {
    if (typeof row[column] !== 'number') throw new TypeError(`metrics row lacks numeric "${column}"`);
  }
  for (const [key, value] of Object.entries(row)) {
    if (typeof value !== 'number') throw new TypeError(`metrics field "${key}" is not a number`);
    if (/[,\n\r"]/.test(key)) throw new TypeError(`metrics field name ${JSON.stringify(key)} cannot be a CSV column`);
  }
}

/** The row's keys in CSV column order first, then any others, so the JSONL reads the same way. */
function orderKeys(row: IterationMetrics, columns: readonly string[]): Record<string, number> {
  const ordered: Record<string, number> = {};
  for (const column of columns) if (column in row) ordered[column] = row[column];
  for (const [key, value] of Object.entries(row)) if (!(key in ordered)) ordered[key] = value;
  return ordered;
}

/** One line of a `metrics.jsonl` file as a row under the current names (NaN for nulls); undefined if it is not one. */
export function parseMetricsLine(line: string): IterationMetrics | undefined {
  try {
    const parsed = JSON.parse(line, (_key, value: unknown) => (value === null ? NaN : value)) as Record<string, number>;
    return typeof parsed.iteration === 'number' ? renameKeys(parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** Lines terminated by a newline; a trailing fragment without one (interrupted write) is left out. */
function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((line) => line.length > 0);
}

async function readTextOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}
