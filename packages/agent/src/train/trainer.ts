/**
 * The training loop: builds envs, the policy and the algorithm named by `algo` (algos/registry.ts) from a
 * TrainConfig, runs the algorithm's iterations until the iteration or env-step budget is spent, and reports each
 * iteration — the trainer's own rollout and time metrics plus whatever the algorithm returned — to the progress
 * display, the run directory (metrics.csv / metrics.jsonl, TensorBoard events, checkpoints, evaluation videos)
 * and the caller.
 */
import { Rng } from '@vinegym/rng';
import type { Algorithm, IterationResult } from '../algos/algorithm.js';
import { algorithmNamed } from '../algos/registry.js';
import { trainConfig, type TrainConfig } from '../config/train-config.js';
import { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import type { CheckpointValue } from '../run/checkpoint.js';
import type { IterationMetrics } from '../run/metrics-log.js';
import { ProgressDisplay } from '../run/progress.js';
import { RunDirectory } from '../run/run-directory.js';
import { TensorBoardWriter } from '../run/tensorboard.js';
import { loadTf } from '../tf.js';
import { checkpointState, restoreCheckpointState, type Counters } from './checkpoint-state.js';
import { EvaluationVideos, VIDEOS_DIR } from './evaluation-videos.js';
import { adapterFor, buildPolicy, closeEnvs, openEnvs, type EnvOptions } from './setup.js';

/** rollout/ep_return_mean averages this many most recent finished episodes: enough to smooth, few enough not to lag. */
export const RETURN_WINDOW = 10;

export interface TrainOptions extends EnvOptions {
  config: TrainConfig;
  /** Run directory to write (created, or continued when `resume`); null writes nothing. */
  runDir: string | null;
  resume?: boolean;
  /** Progress output; false for silence. Default: a ProgressDisplay on stdout. */
  progress?: ProgressDisplay | false;
  /** With `resume`: a new budget replacing the stored one (to extend a finished run). */
  budget?: { iterations: number | null; totalSteps: number | null };
  /**
   * Called after every iteration with the metrics row and the agent as it is now (e.g. to evaluate the policy at
   * fixed env-step checkpoints); awaited, so the next iteration waits for it.
   */
  onIteration?: (row: Record<string, number>, agent: TrainedAgent) => void | Promise<void>;
  /** Called once the run directory exists, before the first iteration (the dashboard starts here). */
  onStart?: (runPath: string | null) => Promise<void>;
}

/** What acting with the trained policy needs: the policy and the normalizer its observations go through. */
export interface TrainedAgent {
  policy: Policy;
  normalizer: ObservationNormalizer | null;
}

export interface TrainResult {
  iterations: number;
  envSteps: number;
  /** Mean return of the last RETURN_WINDOW episodes at the end. */
  finalReturnMean: number;
  rows: Record<string, number>[];
  backend: string;
}

export async function train(options: TrainOptions): Promise<TrainResult> {
  const { tf, backend } = await loadTf();
  const run =
    options.runDir === null
      ? null
      : options.resume
        ? await RunDirectory.open(options.runDir)
        : await RunDirectory.create(options.runDir, options.config);
  // A resumed run's stored config may predate the current key names: it loads through the renamed keys.
  const config =
    run && options.resume
      ? trainConfig({ ...(run.config as Record<string, unknown>), ...options.budget })
      : options.config;
  const definition = algorithmNamed(config.algo);
  // Lines about servers joining and leaving go through the progress display once there is one.
  let progress: ProgressDisplay | null = null;
  const log = (line: string) =>
    progress ? progress.log(line) : options.progress !== false && process.stdout.write(`${line}\n`);
  const envs = await openEnvs(config, { ...options, log: options.log ?? log });
  let algorithm: Algorithm | null = null;
  let videos: EvaluationVideos | null = null;
  try {
    videos = run ? await EvaluationVideos.open(run.path, config, options) : null;
    const adapter = adapterFor(envs[0]);
    const policy = buildPolicy(tf, adapter, config);
    const normalizer = config.observations.normalize ? new ObservationNormalizer(adapter.obsSize) : null;
    const rng = new Rng(config.seed);
    const checkpoint = options.resume ? await run?.loadLatestCheckpoint() : undefined;
    let counters: Counters = checkpoint
      ? (checkpoint.state.counters as unknown as Counters)
      : { iteration: 0, envSteps: 0, wallSeconds: 0, recentReturns: [], recentLengths: [] };
    algorithm = definition.create({
      tf,
      config,
      settings: (config as unknown as Record<string, unknown>)[definition.section],
      envs,
      adapter,
      policy,
      normalizer,
      rng,
      // Resumed runs reset their envs with a seed of their own, so they do not replay the start of the run.
      envSeed: config.seed + 1_000_003 * counters.iteration,
      buildPolicy: () => buildPolicy(tf, adapter, config),
    });
    const parts = { policy, normalizer, rng, algorithm };
    if (checkpoint) counters = restoreCheckpointState(parts, checkpoint.state as Record<string, CheckpointValue>);
    if (options.resume) await run?.resumeFrom(counters.iteration);

    const total = config.iterations ?? config.totalSteps!;
    const unit = config.iterations !== null ? 'iterations' : 'env_steps';
    progress =
      options.progress === false
        ? null
        : (options.progress ??
          new ProgressDisplay({
            total,
            unit,
            initial: unit === 'iterations' ? counters.iteration : counters.envSteps,
          }));
    progress?.log(
      `vinegym train: ${config.algo}${definition.usesSampler ? ` ${config.sampler}` : ''} on ${config.envId} (${config.servers.length === 0 ? 'embedded' : config.servers.join(', ')}), ` +
        `${envs.reduce((n, e) => n + e.numEnvs, 0)} env slots, seed ${config.seed}, tf backend ${backend}${run ? `, run dir ${run.path}` : ''}`,
    );
    await options.onStart?.(run?.path ?? null);
    const tensorboard = run
      ? await TensorBoardWriter.create(run.path, counters.iteration > 0 ? { resumedFromStep: counters.envSteps } : {})
      : null;
    const rows: Record<string, number>[] = [];
    const startedAt = performance.now() - counters.wallSeconds * 1000;

    const budgetLeft = () =>
      (config.iterations === null || counters.iteration < config.iterations) &&
      (config.totalSteps === null || counters.envSteps < config.totalSteps);
    while (budgetLeft()) {
      const result = await algorithm.iterate();
      counters = advance(counters, result, (performance.now() - startedAt) / 1000);
      const row = metricsRow(counters, result);
      rows.push(row);
      progress?.iteration(row, config.iterations ?? undefined);
      await options.onIteration?.(row, { policy, normalizer });
      if (run) {
        await run.appendMetrics(row);
        tensorboard!.scalars(counters.envSteps, tensorBoardScalars(row));
        await tensorboard!.flush();
        if (counters.iteration % config.checkpointEvery === 0 || !budgetLeft()) {
          await algorithm.settle?.();
          await run.saveCheckpoint(counters.iteration, checkpointState(parts, counters));
        }
        if (videos?.due(counters.iteration, !budgetLeft())) {
          const video = await videos.record({ adapter, policy, normalizer }, counters);
          progress?.log(
            `video of iteration ${video.iteration}: ${VIDEOS_DIR}/${video.file} (return ${video.return.toFixed(1)}, ${video.frames} frames)`,
          );
        }
      }
    }
    progress?.finish();
    policy.dispose();
    return {
      iterations: counters.iteration,
      envSteps: counters.envSteps,
      finalReturnMean: mean(counters.recentReturns),
      rows,
      backend,
    };
  } finally {
    await videos?.close();
    algorithm?.dispose();
    await closeEnvs(envs);
  }
}

function advance(counters: Counters, result: IterationResult, wallSeconds: number): Counters {
  return {
    iteration: counters.iteration + 1,
    envSteps: counters.envSteps + result.envSteps,
    wallSeconds,
    recentReturns: [...counters.recentReturns, ...result.episodeReturns].slice(-RETURN_WINDOW),
    recentLengths: [...counters.recentLengths, ...result.episodeLengths].slice(-RETURN_WINDOW),
  };
}

/**
 * One row of metrics.csv / metrics.jsonl: the iteration and env-step counts, the trainer's rollout/ and time/
 * metrics (NaN where a quantity does not exist yet: no finished episode), then the algorithm's metrics as given.
 */
function metricsRow(counters: Counters, result: IterationResult): IterationMetrics {
  return {
    iteration: counters.iteration,
    env_steps: counters.envSteps,
    'time/wall_s': counters.wallSeconds,
    'rollout/ep_return_mean': mean(counters.recentReturns),
    'rollout/ep_length_mean': mean(counters.recentLengths),
    'rollout/episodes': result.episodeReturns.length,
    ...result.metrics,
  };
}

/** TensorBoard's x axis is the env step (runs with different batch sizes line up); the iteration is a scalar. */
function tensorBoardScalars(row: Record<string, number>): Record<string, number> {
  const { iteration, env_steps: _envSteps, ...scalars } = row;
  return { 'time/iteration': iteration, ...scalars };
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
