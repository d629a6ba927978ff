/**
 * The training loop: builds envs, networks and sampler from a TrainConfig, runs iterations of its algorithm
 * (TRPO, NPG, VPG, CEM or RWR; see algorithms.ts) until the iteration or env-step budget is spent, and reports
 * each iteration to the progress display, the run directory (metrics.csv / metrics.jsonl, TensorBoard events,
 * checkpoints) and the caller.
 */
import { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import { Rng } from '../math/rng.js';
import { ProgressDisplay, type IterationStats } from '../run/progress.js';
import { RunDirectory } from '../run/run-directory.js';
import { TensorBoardWriter } from '../run/tensorboard.js';
import { loadTf } from '../tf.js';
import { checkpointState, restoreCheckpointState, type Counters, type TrainingState } from './checkpoint-state.js';
import type { TrainConfig } from './config.js';
import { initialAlgorithmState, iterationRunner, usesValueFunction } from './algorithms.js';
import type { IterationOutcome, IterationParts } from './iteration.js';
import { adapterFor, buildPolicy, buildValueFunction, closeEnvs, openEnvs, type EnvOptions } from './setup.js';

/** episode_return_mean averages this many most recent finished episodes: enough to smooth, few enough not to lag. */
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
  const run = options.runDir === null ? null : options.resume ? await RunDirectory.open<TrainConfig>(options.runDir) : await RunDirectory.create(options.runDir, options.config);
  const config = { ...(run?.config ?? options.config), ...(options.resume ? options.budget : {}) };
  const envs = await openEnvs(config, options);
  try {
    const adapter = adapterFor(envs[0]);
    const policy = buildPolicy(tf, adapter, config);
    const parts: IterationParts & TrainingState = {
      tf,
      config,
      policy,
      valueFunction: usesValueFunction(config) ? buildValueFunction(tf, adapter, config) : null,
      normalizer: config.normalizeObservations ? new ObservationNormalizer(adapter.obsSize) : null,
      rng: new Rng(config.seed),
      algorithm: initialAlgorithmState(config, policy),
    };
    let counters: Counters = { iteration: 0, envSteps: 0, wallSeconds: 0, recentReturns: [], recentLengths: [] };
    const checkpoint = options.resume ? await run?.loadLatestCheckpoint() : undefined;
    if (checkpoint) counters = restoreCheckpointState(parts, checkpoint.state);
    if (options.resume) await run?.resumeFrom(counters.iteration);

    // Resumed runs reset their envs with a seed of their own, so they do not replay the start of the run.
    const envSeed = config.seed + 1_000_003 * counters.iteration;
    const runner = iterationRunner(parts, envs, adapter, envSeed);

    const total = config.iterations ?? config.totalSteps!;
    const unit = config.iterations !== null ? 'iterations' : 'env_steps';
    const progress =
      options.progress === false ? null : (options.progress ?? new ProgressDisplay({ total, unit, initial: unit === 'iterations' ? counters.iteration : counters.envSteps }));
    progress?.log(
      `vinegym train: ${config.algo}${['cem', 'rwr'].includes(config.algo) ? '' : ` ${config.sampler}`} on ${config.envId} (${envs.length === 1 && config.servers.length === 0 ? 'embedded' : config.servers.join(', ')}), ` +
        `${envs.reduce((n, e) => n + e.numEnvs, 0)} env slots, seed ${config.seed}, tf backend ${backend}${run ? `, run dir ${run.path}` : ''}`,
    );
    const tensorboard = run ? await TensorBoardWriter.create(run.path, counters.iteration > 0 ? { resumedFromStep: counters.iteration } : {}) : null;
    const rows: Record<string, number>[] = [];
    const startedAt = performance.now() - counters.wallSeconds * 1000;

    const budgetLeft = () =>
      (config.iterations === null || counters.iteration < config.iterations) && (config.totalSteps === null || counters.envSteps < config.totalSteps);
    while (budgetLeft()) {
      const outcome = await runner.next();
      counters = advance(counters, outcome, (performance.now() - startedAt) / 1000);
      const row = metricsRow(counters, outcome);
      rows.push(row);
      progress?.iteration(iterationStats(row, outcome, config.iterations));
      await options.onIteration?.(row, { policy: parts.policy, normalizer: parts.normalizer });
      if (run) {
        await run.appendMetrics(row as Parameters<typeof run.appendMetrics>[0]);
        tensorboard!.scalars(counters.iteration, row);
        await tensorboard!.flush();
        if (counters.iteration % config.checkpointEvery === 0 || !budgetLeft()) {
          await run.saveCheckpoint(counters.iteration, checkpointState(parts, counters));
        }
      }
    }
    progress?.finish();
    runner.dispose();
    parts.policy.dispose();
    parts.valueFunction?.dispose();
    return { iterations: counters.iteration, envSteps: counters.envSteps, finalReturnMean: mean(counters.recentReturns), rows, backend };
  } finally {
    await closeEnvs(envs);
  }
}

function advance(counters: Counters, outcome: IterationOutcome, wallSeconds: number): Counters {
  return {
    iteration: counters.iteration + 1,
    envSteps: counters.envSteps + outcome.steps,
    wallSeconds,
    recentReturns: [...counters.recentReturns, ...outcome.episodeReturns].slice(-RETURN_WINDOW),
    recentLengths: [...counters.recentLengths, ...outcome.episodeLengths].slice(-RETURN_WINDOW),
  };
}

/** One row of metrics.csv / metrics.jsonl; NaN where a quantity does not exist yet (no finished episode). */
function metricsRow(counters: Counters, outcome: IterationOutcome): Record<string, number> {
  const { update, timings } = outcome;
  return {
    iteration: counters.iteration,
    env_steps: counters.envSteps,
    wall_s: counters.wallSeconds,
    episode_return_mean: mean(counters.recentReturns),
    episode_length_mean: mean(counters.recentLengths),
    episodes: outcome.episodeReturns.length,
    kl: update.kl,
    entropy: update.entropy,
    surrogate_before: update.surrogateBefore,
    surrogate_after: update.surrogateAfter,
    line_search_steps: update.lineSearchSteps,
    accepted: update.accepted ? 1 : 0,
    explained_variance: outcome.explainedVariance,
    time_sampling_ms: timings.samplingMs,
    time_forward_ms: update.timings.forwardMs,
    time_gradient_ms: update.timings.gradientMs,
    time_cg_ms: update.timings.cgMs,
    time_line_search_ms: update.timings.lineSearchMs,
    time_vf_ms: timings.vfMs,
    ...outcome.extra,
  };
}

function iterationStats(row: Record<string, number>, outcome: IterationOutcome, totalIterations: number | null): IterationStats {
  return {
    iteration: row.iteration,
    totalIterations: totalIterations ?? undefined,
    envSteps: row.env_steps,
    episodeReturnMean: row.episode_return_mean,
    episodeLengthMean: row.episode_length_mean,
    kl: row.kl,
    entropy: row.entropy,
    surrogateBefore: row.surrogate_before,
    surrogateAfter: row.surrogate_after,
    lineSearchSteps: row.line_search_steps,
    explainedVariance: Number.isNaN(outcome.explainedVariance) ? undefined : outcome.explainedVariance,
    timingsMs: {
      sampling: row.time_sampling_ms,
      forward: row.time_forward_ms,
      gradient: row.time_gradient_ms,
      cg: row.time_cg_ms,
      lineSearch: row.time_line_search_ms,
      vf: row.time_vf_ms,
    },
  };
}

function mean(values: number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
