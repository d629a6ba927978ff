/**
 * One iteration of each of the paper's episodic baselines (§6.1), on whole episodes from the EpisodeSampler:
 *  - cemIteration: sample a population of parameter vectors, score each by its episodes' mean return, refit the
 *    search distribution to the elites, and put its mean into the policy (what eval and checkpoints see);
 *  - rwrIteration: sample trajectories from the stochastic policy, weight them by return (top 10%), and refit the
 *    policy to the weighted actions by maximum likelihood with L-BFGS.
 * Both report the same IterationOutcome as the TRPO iterations; what they lack (KL for CEM, ...) is NaN.
 */
import { cemUpdate, extraNoiseVariance, initialSearchDistribution, sampleCandidates, type SearchDistribution } from '../algos/cem.js';
import { refitByMaximumLikelihood, trajectoryWeights } from '../algos/rwr.js';
import { getFlatParams, setFlatParams } from '../math/flat.js';
import type { Policy } from '../policies/policy.js';
import type { CheckpointValue } from '../run/checkpoint.js';
import type { Episode, EpisodeSampler } from '../sampling/episodes.js';
import type { TrpoUpdateStats } from '../trpo/update.js';
import type { AlgorithmState, TrainingState } from './checkpoint-state.js';
import type { IterationOutcome, IterationParts } from './iteration.js';

/** Update statistics of an iteration without a policy-gradient step: NaN except where given. */
function episodicUpdateStats(stats: Partial<TrpoUpdateStats>): TrpoUpdateStats {
  return {
    surrogateBefore: Number.NaN,
    surrogateAfter: Number.NaN,
    kl: Number.NaN,
    entropy: Number.NaN,
    lineSearchSteps: 0,
    accepted: true,
    timings: { forwardMs: 0, gradientMs: 0, cgMs: 0, lineSearchMs: 0 },
    ...stats,
  };
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** CEM's search distribution N(μ, diag σ²) and generation counter, checkpointed with the run. */
export class CemSearch implements AlgorithmState {
  distribution: SearchDistribution;

  constructor(policy: Policy, initialStd: number) {
    this.distribution = initialSearchDistribution(getFlatParams(policy.variables), initialStd);
  }

  save(): Record<string, CheckpointValue> {
    const { mean: mu, std, generation } = this.distribution;
    return { mean: mu, std, generation };
  }

  restore(state: Record<string, CheckpointValue>): void {
    this.distribution = {
      mean: Float64Array.from(state.mean as Float64Array),
      std: Float64Array.from(state.std as Float64Array),
      generation: state.generation as number,
    };
  }
}

/**
 * One CEM generation. `population` holds one policy network per candidate (built once, reloaded each generation);
 * candidate i plays episodes i·N … i·N + N − 1 of the job queue, so its N episodes run side by side.
 */
export async function cemIteration(parts: IterationParts & TrainingState, search: CemSearch, sampler: EpisodeSampler, population: Policy[]): Promise<IterationOutcome> {
  const { tf, policy, normalizer, config } = parts;
  const cem = config.cem;
  const clock = performance.now();
  const generation = search.distribution.generation;
  const candidates = sampleCandidates(search.distribution, cem, parts.rng);
  candidates.forEach((theta, i) => setFlatParams(tf, population[i].variables, theta));
  const perCandidate = cem.episodesPerCandidate;
  const batch = await sampler.run((started) => {
    const candidate = Math.floor(started / perCandidate);
    return candidate < candidates.length ? { policy: population[candidate], tag: candidate } : null;
  });
  const samplingMs = performance.now() - clock;

  const scores = new Array<number>(candidates.length).fill(0);
  for (const episode of batch.episodes) scores[episode.tag] += episode.return / perCandidate;
  const { distribution, elites } = cemUpdate(search.distribution, candidates, scores, cem.eliteFraction);
  search.distribution = distribution;
  setFlatParams(tf, policy.variables, distribution.mean);
  normalizer?.update(batch.rawObs);
  return {
    update: episodicUpdateStats({}),
    steps: batch.steps,
    episodeReturns: batch.episodes.map((e) => e.return),
    episodeLengths: batch.episodes.map((e) => e.length),
    explainedVariance: Number.NaN,
    timings: { samplingMs, vfMs: 0 },
    extra: {
      cem_score_mean: mean(scores),
      cem_elite_score_mean: mean(elites.map((i) => scores[i])),
      cem_best_score: Math.max(...scores),
      cem_std_mean: mean(distribution.std),
      cem_extra_std: Math.sqrt(extraNoiseVariance(cem, generation)),
    },
  };
}

/** Joins the state–action pairs of the trajectories with weight > 0, each pair carrying its trajectory's weight. */
function weightedActions(episodes: readonly Episode[], weights: Float64Array, kind: Policy['kind']) {
  const kept = episodes.map((episode, i) => ({ episode, weight: weights[i] })).filter(({ weight }) => weight > 1e-8);
  const steps = kept.reduce((n, { episode }) => n + episode.length, 0);
  const obsSize = kept[0].episode.obs!.length / kept[0].episode.length;
  const actionSize = kept[0].episode.actions!.length / kept[0].episode.length;
  const obs = new Float32Array(steps * obsSize);
  const actions = kind === 'gaussian' ? new Float32Array(steps * actionSize) : new Int32Array(steps);
  const pairWeights = new Float32Array(steps);
  let t = 0;
  for (const { episode, weight } of kept) {
    obs.set(episode.obs!, t * obsSize);
    actions.set(episode.actions!, t * actionSize);
    pairWeights.fill(weight, t, t + episode.length);
    t += episode.length;
  }
  return { obs, actions, weights: pairWeights, trajectories: kept.length };
}

/** One RWR iteration (paper footnote 5). */
export async function rwrIteration(parts: IterationParts, sampler: EpisodeSampler): Promise<IterationOutcome> {
  const { tf, policy, normalizer, config } = parts;
  const rwr = config.rwr;
  let clock = performance.now();
  const batch = await sampler.run((started) => (started < rwr.episodesPerIteration ? { policy, tag: started } : null));
  const samplingMs = performance.now() - clock;

  clock = performance.now();
  const returns = batch.episodes.map((e) => e.return);
  const weights = trajectoryWeights(returns, rwr);
  const data = weightedActions(batch.episodes, weights, policy.kind);
  const refit = refitByMaximumLikelihood(tf, policy, data, rwr);
  normalizer?.update(batch.rawObs);
  const refitMs = performance.now() - clock;
  return {
    // The step maximizes the log-likelihood of the weighted actions: shown as the "surrogate" before → after.
    update: episodicUpdateStats({
      surrogateBefore: refit.logLikelihoodBefore,
      surrogateAfter: refit.logLikelihoodAfter,
      kl: refit.kl,
      entropy: refit.entropy,
      timings: { forwardMs: 0, gradientMs: 0, cgMs: 0, lineSearchMs: refitMs },
    }),
    steps: batch.steps,
    episodeReturns: returns,
    episodeLengths: batch.episodes.map((e) => e.length),
    explainedVariance: Number.NaN,
    timings: { samplingMs, vfMs: 0 },
    extra: {
      rwr_trajectories_kept: data.trajectories,
      rwr_kept_return_mean: returns.reduce((sum, r, i) => sum + r * weights[i], 0) / weights.reduce((a, b) => a + b, 0),
      rwr_lbfgs_iterations: refit.lbfgs.iterations,
      rwr_lbfgs_evaluations: refit.lbfgs.evaluations,
    },
  };
}
