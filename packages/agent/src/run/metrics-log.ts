/**
 * Per-iteration metrics of a run, written twice: `metrics.csv` (for spreadsheets and pandas) and `metrics.jsonl`
 * (one JSON object per line; what the plotting code reads).
 *
 * CSV columns are fixed when the file is first written: the required columns in the order of
 * REQUIRED_METRIC_COLUMNS, then the first row's other keys in alphabetical order. Later rows fill those columns
 * (missing values are empty cells); keys unknown to the header go to the JSONL only. Reopening an existing run
 * keeps the header already on disk, so appends never repeat it.
 *
 * Values are numbers. Non-finite values are written as `NaN` / `Infinity` in the CSV and as null in the JSONL
 * (JSON has no NaN).
 */
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';

/** One iteration's metrics: the required fields plus any other numeric ones. */
export interface IterationMetrics {
  iteration: number;
  /** Environment steps taken so far (cumulative). */
  env_steps: number;
  episode_return_mean: number;
  /** Mean KL divergence between the old and new policy after the update. */
  kl: number;
  /** Mean policy entropy. */
  entropy: number;
  /** Seconds since the run started (cumulative across resumes if the trainer carries it over). */
  wall_s: number;
  [field: string]: number;
}

/** Columns every row has, in their CSV order. */
export const REQUIRED_METRIC_COLUMNS = [
  'iteration',
  'env_steps',
  'wall_s',
  'episode_return_mean',
  'kl',
  'entropy',
] as const;

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
    const keptJson = completeLines(jsonl).filter((line) => {
      const parsed = parseJsonLine(line);
      return parsed !== undefined && parsed.iteration <= iteration;
    });
    await writeFileAtomic(this.jsonlPath, keptJson.map((line) => `${line}\n`).join(''));

    const csv = await readTextOrEmpty(this.csvPath);
    const [header, ...rows] = completeLines(csv);
    if (header === undefined) return;
    const iterationIndex = header.split(',').indexOf('iteration');
    const keptCsv = rows.filter((line) => Number(line.split(',')[iterationIndex]) <= iteration);
    await writeFileAtomic(this.csvPath, [header, ...keptCsv].map((line) => `${line}\n`).join(''));
  }
}

/** Reads every complete row of a `metrics.jsonl` file; JSON nulls (non-finite values) come back as NaN. */
export async function readMetricsJsonl(path: string): Promise<IterationMetrics[]> {
  const rows: IterationMetrics[] = [];
  for (const line of completeLines(await readFile(path, 'utf8'))) {
    const row = parseJsonLine(line);
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

function parseJsonLine(line: string): IterationMetrics | undefined {
  try {
    const parsed = JSON.parse(line, (_key, value: unknown) => (value === null ? NaN : value)) as IterationMetrics;
    return typeof parsed.iteration === 'number' ? parsed : undefined;
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
