/**
 * A toy algorithm, to show (and test) what adding one takes: this folder and one registerAlgorithm line.
 * Hill climbing on the policy's parameters: perturb them, score the candidate by its episodes' mean return, keep
 * it if it beats the best score so far.
 */
import {
  defineAlgorithm,
  type Algorithm,
  type AlgorithmContext,
  type IterationResult,
} from '../../src/algos/algorithm.js';
import { getFlatParams, setFlatParams } from '../../src/math/flat.js';
import type { CheckpointValue } from '../../src/run/checkpoint.js';
import { EpisodeSampler } from '../../src/sampling/episodes.js';
import { HILL_CLIMB_SECTION, type HillClimbConfig } from './config.js';

class HillClimb implements Algorithm {
  private best = -Infinity;
  private readonly sampler: EpisodeSampler;

  constructor(private readonly context: AlgorithmContext<HillClimbConfig>) {
    const { envs, adapter, normalizer, rng, envSeed } = context;
    this.sampler = new EpisodeSampler({
      envs,
      adapter,
      normalizer,
      noise: rng,
      seed: envSeed,
      deterministic: true,
      recordTrajectories: false,
    });
  }

  async iterate(): Promise<IterationResult> {
    const { tf, policy, rng, settings } = this.context;
    const theta = getFlatParams(policy.variables);
    const candidate = theta.map((x) => x + settings.noiseStd * rng.normal());
    setFlatParams(tf, policy.variables, candidate);
    const batch = await this.sampler.run((started) => (started < settings.episodes ? { policy, tag: started } : null));
    const score = batch.episodes.reduce((sum, e) => sum + e.return, 0) / batch.episodes.length;
    const accepted = score > this.best;
    if (accepted) this.best = score;
    else setFlatParams(tf, policy.variables, theta);
    return {
      envSteps: batch.steps,
      episodeReturns: batch.episodes.map((e) => e.return),
      episodeLengths: batch.episodes.map((e) => e.length),
      metrics: { 'hill/score': score, 'hill/best_score': this.best, 'hill/accepted': accepted ? 1 : 0 },
    };
  }

  save(): Record<string, CheckpointValue> {
    return { best: this.best };
  }

  restore(state: Record<string, CheckpointValue>): void {
    this.best = state.best as number;
  }

  dispose(): void {}
}

export const HILL_CLIMB = defineAlgorithm<HillClimbConfig>({
  name: 'hill-climb',
  summary: 'toy: keep a random perturbation of the parameters when it scores better',
  section: 'hillClimb',
  schema: HILL_CLIMB_SECTION,
  usesSampler: false,
  create: (context) => new HillClimb(context),
});
