/**
 * A training run's directory:
 *
 *   config.json          the fully resolved config, written once at the start
 *   metrics.csv          one row per iteration (see metrics-log.ts)
 *   metrics.jsonl        the same rows as JSON lines
 *   checkpoints/         atomic checkpoints and their `latest` pointer (see checkpoint.ts)
 *   events.out.tfevents.*  TensorBoard files, when the trainer writes them (TensorBoardWriter on `path`)
 *
 * Start a run with RunDirectory.create; continue one (--resume) with RunDirectory.open, loadLatestCheckpoint,
 * then resumeFrom(checkpoint.iteration) so the metrics pick up right after the checkpoint (resumeFrom(0) when
 * there is no checkpoint yet and training starts over), and TensorBoardWriter.create(run.path,
 * { resumedFromStep: checkpoint.iteration }) so TensorBoard drops the steps logged after the checkpoint too.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathExists as exists, writeFileAtomic } from './atomic-write.js';
import {
  loadLatestCheckpoint,
  saveCheckpoint,
  type LoadedCheckpoint,
  type SaveCheckpointOptions,
} from './checkpoint.js';
import { MetricsLog, type IterationMetrics } from './metrics-log.js';

export const CONFIG_FILE = 'config.json';
export const CHECKPOINTS_DIR = 'checkpoints';

export class RunDirectory<Config = unknown> {
  private constructor(
    /** Absolute path of the run directory. */
    readonly path: string,
    /** The config the run was created with. */
    readonly config: Config,
    private readonly metrics: MetricsLog,
  ) {}

  /**
   * Creates the run directory (and parents) and writes `config.json`. Fails if `path` already holds a run
   * (a config.json), so a finished run is never overwritten by accident; use open() to resume.
   */
  static async create<Config>(path: string, config: Config): Promise<RunDirectory<Config>> {
    const absolute = resolve(path);
    const configPath = join(absolute, CONFIG_FILE);
    if (await exists(configPath))
      throw new Error(`${absolute} already holds a run (${CONFIG_FILE}); resume it instead`);
    await mkdir(join(absolute, CHECKPOINTS_DIR), { recursive: true });
    await writeFileAtomic(configPath, `${JSON.stringify(config, null, 2)}\n`);
    return new RunDirectory(absolute, config, await MetricsLog.open(absolute));
  }

  /** Opens an existing run, reading its config. The config is not validated: `Config` is the caller's claim. */
  static async open<Config = unknown>(path: string): Promise<RunDirectory<Config>> {
    const absolute = resolve(path);
    const config = JSON.parse(await readFile(join(absolute, CONFIG_FILE), 'utf8')) as Config;
    await mkdir(join(absolute, CHECKPOINTS_DIR), { recursive: true });
    return new RunDirectory(absolute, config, await MetricsLog.open(absolute));
  }

  get checkpointsDir(): string {
    return join(this.path, CHECKPOINTS_DIR);
  }

  get metricsCsvPath(): string {
    return this.metrics.csvPath;
  }

  get metricsJsonlPath(): string {
    return this.metrics.jsonlPath;
  }

  /** Appends one iteration's row to metrics.csv and metrics.jsonl. */
  appendMetrics(row: IterationMetrics): Promise<void> {
    return this.metrics.append(row);
  }

  /** Drops metrics rows after `iteration`, the iteration of the checkpoint being resumed. */
  resumeFrom(iteration: number): Promise<void> {
    return this.metrics.truncateAfter(iteration);
  }

  /** Saves a checkpoint under checkpoints/ (keeps the newest 3 unless options.keep says otherwise). */
  saveCheckpoint(
    iteration: number,
    state: Readonly<Record<string, unknown>>,
    options?: SaveCheckpointOptions,
  ): Promise<string> {
    return saveCheckpoint(this.checkpointsDir, iteration, state, options);
  }

  /** The newest checkpoint, or undefined if none was saved yet. */
  loadLatestCheckpoint(): Promise<LoadedCheckpoint | undefined> {
    return loadLatestCheckpoint(this.checkpointsDir);
  }
}
