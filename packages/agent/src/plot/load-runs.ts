/**
 * Reading run directories for plotting, and grouping them by label.
 *
 * A run's label is, in order of preference:
 *   1. config.label, if it is a string;
 *   2. config.algo and config.sampler joined by a space (e.g. "trpo vine"), whichever of the two are strings;
 *   3. the name of the run directory's parent (runs laid out as `<label>/<seed>/`).
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CONFIG_FILE } from '../run/run-directory.js';
import { METRICS_JSONL, readMetricsJsonl, type IterationMetrics } from '../run/metrics-log.js';

export interface LoadedRun {
  /** Absolute path of the run directory. */
  dir: string;
  label: string;
  rows: IterationMetrics[];
}

/** How runs become curves: 'label' averages runs with the same label; 'run' draws every run on its own. */
export type GroupBy = 'label' | 'run';

export interface RunGroup {
  name: string;
  runs: LoadedRun[];
}

/** Reads `config.json` (optional) and `metrics.jsonl` of one run directory. */
export async function loadRun(dir: string): Promise<LoadedRun> {
  const absolute = resolve(dir);
  const rows = await readMetricsJsonl(join(absolute, METRICS_JSONL));
  return { dir: absolute, label: runLabel(absolute, await readConfig(absolute)), rows };
}

/** The label of a run (see the module comment). */
export function runLabel(dir: string, config: unknown): string {
  const fields = typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
  if (typeof fields.label === 'string') return fields.label;
  const parts = [fields.algo, fields.sampler].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? parts.join(' ') : basename(dirname(resolve(dir)));
}

/** Groups runs in order of first appearance. */
export function groupRuns(runs: readonly LoadedRun[], groupBy: GroupBy): RunGroup[] {
  const groups = new Map<string, LoadedRun[]>();
  for (const run of runs) {
    const name = groupBy === 'label' ? run.label : `${run.label} (${basename(run.dir)})`;
    groups.set(name, [...(groups.get(name) ?? []), run]);
  }
  return [...groups].map(([name, members]) => ({ name, runs: members }));
}

async function readConfig(dir: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(join(dir, CONFIG_FILE), 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
