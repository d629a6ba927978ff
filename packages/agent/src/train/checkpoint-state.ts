/**
 * What a checkpoint holds, flattened to the named typed arrays and JSON values a run directory stores:
 *   counters            iteration, env steps, wall time, the recent episodes behind rollout/ep_return_mean
 *   rng                 the run's noise stream
 *   policy.<i>          the policy's weights
 *   normalizer          the observation normalizer's statistics (when observations are normalized)
 *   algorithm.<key>     the algorithm's own state (Algorithm.save: value function and its Adam state, CEM's
 *                       search distribution, ...)
 * Checkpoints written before algorithms owned their state kept the value function at the top level; they load
 * through LEGACY_ALGORITHM_KEYS.
 */
import type { NormalizerState, ObservationNormalizer } from '../math/normalizer.js';
import type { Rng, RngState } from '@vinegym/rng';
import type { Algorithm } from '../algos/algorithm.js';
import type { Policy } from '../policies/policy.js';
import { indexedArrays, namedArrays, type CheckpointValue } from '../run/checkpoint.js';

export interface Counters {
  iteration: number;
  envSteps: number;
  wallSeconds: number;
  /** Returns of the most recent finished episodes (the window behind rollout/ep_return_mean). */
  recentReturns: number[];
  recentLengths: number[];
}

/** What the trainer checkpoints: its own parts and the algorithm. */
export interface TrainingState {
  policy: Policy;
  normalizer: ObservationNormalizer | null;
  rng: Rng;
  algorithm: Pick<Algorithm, 'save' | 'restore'>;
}

const ALGORITHM_PREFIX = 'algorithm.';

/** Top-level keys of pre-redesign checkpoints that belong to the algorithm (the value function's). */
const LEGACY_ALGORITHM_KEYS = /^(value\.\d+|value_adam_m\.\d+|value_adam_v\.\d+|value_training)$/;

export function checkpointState(parts: TrainingState, counters: Counters): Record<string, unknown> {
  const state: Record<string, unknown> = {
    counters,
    rng: parts.rng.state(),
    ...indexedArrays('policy', parts.policy.serialize()),
  };
  if (parts.normalizer) state.normalizer = parts.normalizer.serialize();
  for (const [key, value] of Object.entries(parts.algorithm.save())) state[ALGORITHM_PREFIX + key] = value;
  return state;
}

/** Loads a checkpoint into freshly built parts; returns the counters to continue from. */
export function restoreCheckpointState(parts: TrainingState, state: Record<string, CheckpointValue>): Counters {
  parts.policy.load(namedArrays(state, 'policy'));
  parts.rng.setState(state.rng as unknown as RngState);
  if (parts.normalizer) parts.normalizer.restore(state.normalizer as unknown as NormalizerState);
  const algorithmState: Record<string, CheckpointValue> = {};
  for (const [key, value] of Object.entries(state)) {
    if (key.startsWith(ALGORITHM_PREFIX)) algorithmState[key.slice(ALGORITHM_PREFIX.length)] = value;
    else if (LEGACY_ALGORITHM_KEYS.test(key)) algorithmState[key] ??= value;
  }
  parts.algorithm.restore(algorithmState);
  return state.counters as unknown as Counters;
}
