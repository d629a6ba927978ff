/**
 * What the trainer sees of an algorithm, and what an algorithm gets from the trainer. A leaf module (types only):
 * algorithms and the trainer both depend on it, never on each other.
 *
 * The trainer owns the run: envs, the policy (which eval and checkpoints read), the observation normalizer, the
 * noise RNG, the budget, metrics, progress and checkpoints. An algorithm owns everything else it builds (value
 * function, samplers, search distribution, ...) and reports each iteration as namespaced metrics, which the
 * trainer writes as they come: 'train/kl', 'train/entropy', 'time/cg_ms', 'cem/best_score', ...
 */
import type { GenericSchema } from 'valibot';
import type { Rng } from '@vinegym/rng';
import type { TrainConfig } from '../config/train-config.js';
import type { VectorEnv } from '../env/vector-env.js';
import type { ObservationNormalizer } from '../math/normalizer.js';
import type { Policy } from '../policies/policy.js';
import type { CheckpointValue } from '../run/checkpoint.js';
import type { SpaceAdapter } from '../sampling/space-adapter.js';
import type { Tf } from '../tf.js';

export interface IterationResult {
  /** Env steps this iteration took: every simulator step, rollouts and idle slots' steps included. */
  envSteps: number;
  /** Returns and lengths of the episodes that finished during the iteration (the trainer averages the recent ones). */
  episodeReturns: number[];
  episodeLengths: number[];
  /** This iteration's scalars, named `<namespace>/<name>`: train/… (the update), time/…_ms, <algo>/… */
  metrics: Record<string, number>;
}

export interface Algorithm {
  /** One iteration: sample with the current policy, then update it (and whatever else the algorithm keeps). */
  iterate(): Promise<IterationResult>;
  /**
   * Waits for work an iteration left running on another thread (the policy-gradient methods' value fit, which
   * overlaps the next batch's sampling), so that `save` sees the state the serial order would have. Optional.
   */
  settle?(): Promise<void>;
  /**
   * The algorithm's own state for a checkpoint (not the policy, normalizer or RNG: the trainer saves those); after
   * `settle`.
   */
  save(): Record<string, CheckpointValue>;
  /** Loads what `save` returned, into an algorithm just created for the same config. */
  restore(state: Record<string, CheckpointValue>): void;
  /** Frees what the algorithm built (networks, tensors). */
  dispose(): void;
}

/** What the trainer hands an algorithm when it creates it. */
export interface AlgorithmContext<Settings = unknown> {
  tf: Tf;
  /** The whole resolved config: shared sections (advantage, valueFunction, vine, ...) and run settings. */
  config: TrainConfig;
  /** This algorithm's own config section, validated and completed with its defaults. */
  settings: Settings;
  envs: VectorEnv[];
  adapter: SpaceAdapter;
  /** The policy being trained; the trainer checkpoints it and eval runs it. */
  policy: Policy;
  normalizer: ObservationNormalizer | null;
  /** The run's noise stream (actions, minibatch order, CEM candidates); the trainer checkpoints it. */
  rng: Rng;
  /** Seed of the samplers' first env reset (differs after a resume, so a resumed run does not replay its start). */
  envSeed: number;
  /** A new network of the policy's architecture (e.g. CEM's candidates). */
  buildPolicy(): Policy;
}

export interface AlgorithmDefinition<Settings = unknown> {
  /** The `algo` value (`--algo <name>`). */
  name: string;
  /** One line for help texts. */
  summary: string;
  /** Key of its config section (`config.<section>`, flags `--<section>.*`); algorithms may share one (npg uses trpo's). */
  section: string;
  /** The section's schema: fields with types, bounds, defaults and descriptions. */
  schema: GenericSchema<unknown, Settings>;
  /** Whether it samples with `sampler` (single-path or vine) and so the sampler is part of its runs' names. */
  usesSampler: boolean;
  create(context: AlgorithmContext<Settings>): Algorithm;
}

/** Defines an algorithm with its settings' type inferred from its schema. */
export function defineAlgorithm<Settings>(definition: AlgorithmDefinition<Settings>): AlgorithmDefinition<Settings> {
  return definition;
}
