/**
 * Runs the planned training runs as separate `vinegym train` child processes, `jobs` at a time (one process per
 * run: each has its own TensorFlow runtime and event loop, and a crash stays in its run).
 *
 * Resumable: a run whose directory holds `done.json` for at least this budget is skipped; a run directory with a
 * config.json but no such marker is continued with `train --resume` (from its last checkpoint); anything else is
 * started fresh. Each child's output is appended to `<run dir>/train.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathExists as exists } from '../run/atomic-write.js';
import { canonicalKeys } from '../config/keys.js';
import type { TrainConfigOverrides } from '../config/train-config.js';
import type { PlannedRun } from './plan.js';

export const DONE_FILE = 'done.json';
export const LOG_FILE = 'train.log';

export interface RunPoolOptions {
  jobs: number;
  budget: number;
  /** Command that starts the CLI: [executable, ...args before `train`]. Default: this process's node + entry. */
  cli?: string[];
  /** Passed to every child as --token. */
  token?: string;
  /** One line per event (start, finish, failure). */
  log?: (line: string) => void;
}

export type RunState = 'done' | 'resume' | 'new';

export async function runState(dir: string, budget: number): Promise<RunState> {
  try {
    const done = JSON.parse(await readFile(join(dir, DONE_FILE), 'utf8')) as { budget: number };
    if (done.budget >= budget) return 'done';
    return 'resume';
  } catch {
    return (await exists(join(dir, 'config.json'))) ? 'resume' : 'new';
  }
}

/**
 * The runs already in the report directory that were started with other settings than planned now (a different
 * --config, say). Continuing them would silently mix settings in one report. The budget may differ: a larger
 * one extends the runs.
 */
export async function runsWithOtherSettings(runs: readonly PlannedRun[]): Promise<PlannedRun[]> {
  const differing: PlannedRun[] = [];
  for (const run of runs) {
    let saved: TrainConfigOverrides;
    try {
      saved = JSON.parse(await readFile(configFileOf(run), 'utf8')) as TrainConfigOverrides;
    } catch {
      continue; // not started yet
    }
    // Runs planned before the config keys were renamed saved their overrides under the old names.
    const current = canonicalKeys(saved as Record<string, unknown>);
    if (canonicalJson({ ...current, totalSteps: null }) !== canonicalJson({ ...run.overrides, totalSteps: null }))
      differing.push(run);
  }
  return differing;
}

/** JSON with object keys sorted, so equal settings compare equal whatever order a config file listed them in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function configFileOf(run: PlannedRun): string {
  return join(dirname(run.dir), `seed${run.seed}.config.json`);
}

/** The CLI as this process was started (node, its loader flags such as tsx's, and the entry script). */
export function currentCli(): string[] {
  return [process.execPath, ...process.execArgv, process.argv[1]];
}

export interface RunPoolResult {
  failed: { run: PlannedRun; code: number | null }[];
  skipped: number;
}

export async function runPool(runs: readonly PlannedRun[], options: RunPoolOptions): Promise<RunPoolResult> {
  const log = options.log ?? (() => undefined);
  const cli = options.cli ?? currentCli();
  const failed: RunPoolResult['failed'] = [];
  let skipped = 0;
  const queue = [...runs];
  const children = new Set<ChildProcess>();
  const stopChildren = () => children.forEach((child) => child.kill('SIGINT'));
  process.once('SIGINT', stopChildren);
  process.once('SIGTERM', stopChildren);

  const worker = async () => {
    for (let run = queue.shift(); run; run = queue.shift()) {
      const state = await runState(run.dir, options.budget);
      if (state === 'done') {
        skipped++;
        continue;
      }
      const args = await trainArguments(run, state, options);
      await mkdir(run.dir, { recursive: true });
      const logFile = await open(join(run.dir, LOG_FILE), 'a');
      const started = performance.now();
      log(`${state === 'new' ? 'start ' : 'resume'} ${run.variant} seed ${run.seed}`);
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(cli[0], [...cli.slice(1), 'train', ...args], { stdio: ['ignore', logFile.fd, logFile.fd] });
        children.add(child);
        child.on('error', () => resolve(null));
        child.on('exit', (exitCode) => {
          children.delete(child);
          resolve(exitCode);
        });
      });
      await logFile.close();
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) {
        await writeFile(join(run.dir, DONE_FILE), `${JSON.stringify({ budget: options.budget, seconds })}\n`);
        log(`done   ${run.variant} seed ${run.seed} (${seconds.toFixed(0)} s)`);
      } else {
        failed.push({ run, code });
        log(`FAILED ${run.variant} seed ${run.seed} (exit ${code}; see ${join(run.dir, LOG_FILE)})`);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
  } finally {
    process.off('SIGINT', stopChildren);
    process.off('SIGTERM', stopChildren);
  }
  return { failed, skipped };
}

/** `train` arguments: a fresh run from its config file, or --resume with the (possibly larger) budget. */
async function trainArguments(run: PlannedRun, state: RunState, options: RunPoolOptions): Promise<string[]> {
  const token = options.token ? ['--token', options.token] : [];
  if (state === 'resume') return ['--resume', run.dir, '--steps', String(options.budget), ...token];
  const configFile = configFileOf(run);
  await mkdir(dirname(configFile), { recursive: true });
  await writeFile(configFile, `${JSON.stringify(run.overrides, null, 2)}\n`);
  return ['--config', configFile, '--out', run.dir, ...token];
}
