/**
 * CEM, the cross-entropy method over the policy's flat parameter vector: the paper's derivative-free baseline
 * (§6.1). Each iteration (one generation):
 *   1. draw a population of candidates θ_i from the search distribution          search.ts: sampleCandidates
 *   2. score each by the mean return of its episodes (played side by side)         EpisodeSampler
 *   3. refit the search distribution to the elites                                  search.ts: cemUpdate
 * and puts the distribution's mean into the policy, which is what eval and checkpoints see.
 */
import { getFlatParams, setFlatParams } from '../../math/flat.js';
import type { Policy } from '../../policies/policy.js';
import type { CheckpointValue } from '../../run/checkpoint.js';
import { EpisodeSampler } from '../../sampling/episodes.js';
import { defineAlgorithm, type Algorithm, type AlgorithmContext, type IterationResult } from '../algorithm.js';
import { CEM_SECTION, type CemConfig } from './config.js';
import {
  cemUpdate,
  extraNoiseVariance,
  initialSearchDistribution,
  sampleCandidates,
  type SearchDistribution,
} from './search.js';

class CrossEntropyMethod implements Algorithm {
  private distribution: SearchDistribution;
  /** One network per candidate, built once and reloaded each generation. */
  private readonly population: Policy[];
  private readonly sampler: EpisodeSampler;

  constructor(private readonly context: AlgorithmContext<CemConfig>) {
    const { settings, envs, adapter, normalizer, rng, envSeed, policy } = context;
    this.distribution = initialSearchDistribution(getFlatParams(policy.variables), settings.initialStd);
    this.population = Array.from({ length: settings.populationSize }, () => context.buildPolicy());
    this.sampler = new EpisodeSampler({
      envs,
      adapter,
      normalizer,
      noise: rng,
      seed: envSeed,
      deterministic: settings.deterministicEvaluation,
      recordTrajectories: false,
    });
  }

  /** Candidate i plays episodes i·N … i·N + N − 1 of the job queue, so its N episodes run side by side. */
  async iterate(): Promise<IterationResult> {
    const { tf, policy, normalizer, settings, rng } = this.context;
    const clock = performance.now();
    const generation = this.distribution.generation;
    const candidates = sampleCandidates(this.distribution, settings, rng);
    candidates.forEach((theta, i) => setFlatParams(tf, this.population[i].variables, theta));
    const perCandidate = settings.episodesPerCandidate;
    const batch = await this.sampler.run((started) => {
      const candidate = Math.floor(started / perCandidate);
      return candidate < candidates.length ? { policy: this.population[candidate], tag: candidate } : null;
    });
    const samplingMs = performance.now() - clock;

    const scores = new Array<number>(candidates.length).fill(0);
    for (const episode of batch.episodes) scores[episode.tag] += episode.return / perCandidate;
    const { distribution, elites } = cemUpdate(this.distribution, candidates, scores, settings.eliteFraction);
    this.distribution = distribution;
    setFlatParams(tf, policy.variables, distribution.mean);
    normalizer?.update(batch.rawObs);
    return {
      envSteps: batch.steps,
      episodeReturns: batch.episodes.map((e) => e.return),
      episodeLengths: batch.episodes.map((e) => e.length),
      metrics: {
        'cem/score_mean': mean(scores),
        'cem/elite_score_mean': mean(elites.map((i) => scores[i])),
        'cem/best_score': Math.max(...scores),
        'cem/std_mean': mean(distribution.std),
        'cem/extra_std': Math.sqrt(extraNoiseVariance(settings, generation)),
        'time/sampling_ms': samplingMs,
      },
    };
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

  dispose(): void {
    this.population.forEach((p) => p.dispose());
  }
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

export const CEM = defineAlgorithm<CemConfig>({
  name: 'cem',
  summary: "cross-entropy method over the policy's parameters (the paper's derivative-free baseline)",
  section: 'cem',
  schema: CEM_SECTION,
  usesSampler: false,
  create: (context) => new CrossEntropyMethod(context),
});
