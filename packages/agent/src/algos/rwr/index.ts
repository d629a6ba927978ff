/**
 * RWR, reward-weighted regression as the paper ran it (§6.1, footnote 5). Each iteration:
 *   1. sample trajectories from the stochastic policy                       EpisodeSampler
 *   2. weight them by return (the top 10%)                                   refit.ts: trajectoryWeights
 *   3. refit the policy to the weighted actions by maximum likelihood         refit.ts: refitByMaximumLikelihood (L-BFGS)
 */
import type { Episode } from '../../sampling/episodes.js';
import { EpisodeSampler } from '../../sampling/episodes.js';
import type { Policy } from '../../policies/policy.js';
import { defineAlgorithm, type Algorithm, type AlgorithmContext, type IterationResult } from '../algorithm.js';
import { RWR_SECTION, type RwrConfig } from './config.js';
import { refitByMaximumLikelihood, trajectoryWeights } from './refit.js';

class RewardWeightedRegression implements Algorithm {
  private readonly sampler: EpisodeSampler;

  constructor(private readonly context: AlgorithmContext<RwrConfig>) {
    const { envs, adapter, normalizer, rng, envSeed } = context;
    this.sampler = new EpisodeSampler({
      envs,
      adapter,
      normalizer,
      noise: rng,
      seed: envSeed,
      deterministic: false,
      recordTrajectories: true,
    });
  }

  async iterate(): Promise<IterationResult> {
    const { tf, policy, normalizer, settings } = this.context;
    let clock = performance.now();
    const batch = await this.sampler.run((started) =>
      started < settings.episodesPerIteration ? { policy, tag: started } : null,
    );
    const samplingMs = performance.now() - clock;

    clock = performance.now();
    const returns = batch.episodes.map((e) => e.return);
    const weights = trajectoryWeights(returns, settings);
    const data = weightedActions(batch.episodes, weights, policy.kind);
    const refit = refitByMaximumLikelihood(tf, policy, data, settings);
    normalizer?.update(batch.rawObs);
    const refitMs = performance.now() - clock;
    return {
      envSteps: batch.steps,
      episodeReturns: returns,
      episodeLengths: batch.episodes.map((e) => e.length),
      metrics: {
        'train/kl': refit.kl,
        'train/entropy': refit.entropy,
        'rwr/log_likelihood_before': refit.logLikelihoodBefore,
        'rwr/log_likelihood_after': refit.logLikelihoodAfter,
        'rwr/trajectories_kept': data.trajectories,
        'rwr/kept_return_mean':
          returns.reduce((sum, r, i) => sum + r * weights[i], 0) / weights.reduce((a, b) => a + b, 0),
        'rwr/lbfgs_iterations': refit.lbfgs.iterations,
        'rwr/lbfgs_evaluations': refit.lbfgs.evaluations,
        'time/sampling_ms': samplingMs,
        'time/refit_ms': refitMs,
      },
    };
  }

  save(): Record<string, never> {
    return {};
  }

  restore(): void {}

  dispose(): void {}
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

export const RWR = defineAlgorithm<RwrConfig>({
  name: 'rwr',
  summary: 'reward-weighted regression: refit the policy to the best trajectories by maximum likelihood (L-BFGS)',
  section: 'rwr',
  schema: RWR_SECTION,
  usesSampler: false,
  create: (context) => new RewardWeightedRegression(context),
});
