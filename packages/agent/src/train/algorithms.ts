/**
 * The `algo` dispatch of the training loop: which sampler and which iteration function a run uses, and what
 * state the algorithm keeps beyond the policy. The loop itself (budget, metrics, progress, checkpoints) is the
 * same for every algorithm (trainer.ts).
 *
 *   trpo, npg, vpg   single-path or vine sampler → advantages → policyGradientUpdate   (iteration.ts)
 *   cem              EpisodeSampler over a population of candidate networks → cemIteration  (episodic-iterations.ts)
 *   rwr              EpisodeSampler with the policy → rwrIteration
 */
import type { VectorEnv } from '../env/vector-env.js';
import type { Policy } from '../policies/policy.js';
import { EpisodeSampler } from '../sampling/episodes.js';
import { SinglePathSampler } from '../sampling/single-path.js';
import type { SpaceAdapter } from '../sampling/space-adapter.js';
import { VineSampler } from '../sampling/vine.js';
import type { AlgorithmState, TrainingState } from './checkpoint-state.js';
import type { TrainConfig } from './config.js';
import { CemSearch, cemIteration, rwrIteration } from './episodic-iterations.js';
import { singlePathIteration, vineIteration, type IterationOutcome, type IterationParts } from './iteration.js';
import { buildPolicy } from './setup.js';

export interface IterationRunner {
  next(): Promise<IterationOutcome>;
  /** Frees what the runner built (CEM's candidate networks). */
  dispose(): void;
}

export function isPolicyGradient(config: TrainConfig): boolean {
  return config.algo === 'trpo' || config.algo === 'npg' || config.algo === 'vpg';
}

/** The value baseline exists for the policy-gradient methods with single-path GAE advantages. */
export function usesValueFunction(config: TrainConfig): boolean {
  if (!isPolicyGradient(config)) return false;
  return config.sampler === 'vine' ? config.vine.rolloutBootstrap === 'value-function' : config.advantage === 'gae';
}

/** Algorithm state to build before a checkpoint is restored into it; null when the policy is all there is. */
export function initialAlgorithmState(config: TrainConfig, policy: Policy): AlgorithmState | null {
  return config.algo === 'cem' ? new CemSearch(policy, config.cem.initialStd) : null;
}

/** `envSeed`: seed of the samplers' first env reset. */
export function iterationRunner(
  parts: IterationParts & TrainingState,
  envs: VectorEnv[],
  adapter: SpaceAdapter,
  envSeed: number,
): IterationRunner {
  const { config, normalizer, rng } = parts;
  const episodes = (deterministic: boolean, recordTrajectories: boolean) =>
    new EpisodeSampler({ envs, adapter, normalizer, noise: rng, seed: envSeed, deterministic, recordTrajectories });
  switch (config.algo) {
    case 'cem': {
      const sampler = episodes(config.cem.deterministicEvaluation, false);
      const population = Array.from({ length: config.cem.populationSize }, () => buildPolicy(parts.tf, adapter, config));
      return {
        next: () => cemIteration(parts, parts.algorithm as CemSearch, sampler, population),
        dispose: () => population.forEach((p) => p.dispose()),
      };
    }
    case 'rwr': {
      const sampler = episodes(false, true);
      return { next: () => rwrIteration(parts, sampler), dispose: () => undefined };
    }
    default: {
      if (config.sampler === 'vine') {
        const sampler = new VineSampler({ envs, adapter, normalizer, rng, seed: envSeed, gamma: config.trpo.gamma, config: config.vine });
        return { next: () => vineIteration(parts, sampler), dispose: () => undefined };
      }
      const sampler = new SinglePathSampler({ envs, adapter, normalizer, noise: rng, seed: envSeed });
      return { next: () => singlePathIteration(parts, sampler), dispose: () => undefined };
    }
  }
}
