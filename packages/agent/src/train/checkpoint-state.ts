/**
 * What a checkpoint holds — policy and value weights, the value optimizer, the normalizer, the noise RNG, the
 * counters and any state of the algorithm itself (e.g. CEM's search distribution) — flattened to the named typed arrays and JSON values a run directory stores.
 */
import type { AdamState } from '../math/adam.js';
import type { NormalizerState, ObservationNormalizer } from '../math/normalizer.js';
import type { Rng, RngState } from '@vinegym/rng';
import type { Policy } from '../policies/policy.js';
import type { ValueFunction } from '../policies/value-function.js';
import type { CheckpointValue } from '../run/checkpoint.js';

export interface Counters {
  iteration: number;
  envSteps: number;
  wallSeconds: number;
  /** Returns of the most recent finished episodes (the window behind episode_return_mean). */
  recentReturns: number[];
  recentLengths: number[];
}

/** State an algorithm keeps beyond the policy (CEM: its search distribution), saved under `algorithm.<key>`. */
export interface AlgorithmState {
  save(): Record<string, CheckpointValue>;
  restore(state: Record<string, CheckpointValue>): void;
}

export interface TrainingState {
  policy: Policy;
  valueFunction: ValueFunction | null;
  normalizer: ObservationNormalizer | null;
  rng: Rng;
  algorithm?: AlgorithmState | null;
}

const ALGORITHM_PREFIX = 'algorithm.';

const arrays = (prefix: string, list: Float32Array[]) => Object.fromEntries(list.map((a, i) => [`${prefix}.${i}`, a]));
/** The arrays saved under `prefix.0`, `prefix.1`, ... in index order (e.g. the policy's weights). */
export const namedArrays = (state: Record<string, CheckpointValue>, prefix: string): Float32Array[] =>
  Object.keys(state)
    .filter((k) => k.startsWith(`${prefix}.`))
    .sort((a, b) => Number(a.slice(prefix.length + 1)) - Number(b.slice(prefix.length + 1)))
    .map((k) => state[k] as Float32Array);

export function checkpointState(parts: TrainingState, counters: Counters): Record<string, unknown> {
  const state: Record<string, unknown> = {
    counters,
    rng: parts.rng.state(),
    ...arrays('policy', parts.policy.serialize()),
  };
  if (parts.normalizer) state.normalizer = parts.normalizer.serialize();
  for (const [key, value] of Object.entries(parts.algorithm?.save() ?? {})) state[ALGORITHM_PREFIX + key] = value;
  if (parts.valueFunction) {
    const training = parts.valueFunction.trainingState();
    Object.assign(state, arrays('value', parts.valueFunction.serialize()));
    Object.assign(state, arrays('value_adam_m', training.optimizer.firstMoments));
    Object.assign(state, arrays('value_adam_v', training.optimizer.secondMoments));
    state.value_training = { step: training.optimizer.step, rng: training.rng };
  }
  return state;
}

/** Loads a checkpoint into freshly built parts; returns the counters to continue from. */
export function restoreCheckpointState(parts: TrainingState, state: Record<string, CheckpointValue>): Counters {
  parts.policy.load(namedArrays(state, 'policy'));
  parts.rng.setState(state.rng as unknown as RngState);
  if (parts.normalizer) parts.normalizer.restore(state.normalizer as unknown as NormalizerState);
  parts.algorithm?.restore(
    Object.fromEntries(Object.entries(state).filter(([k]) => k.startsWith(ALGORITHM_PREFIX)).map(([k, v]) => [k.slice(ALGORITHM_PREFIX.length), v])),
  );
  if (parts.valueFunction) {
    parts.valueFunction.load(namedArrays(state, 'value'));
    const training = state.value_training as unknown as { step: number; rng: RngState };
    const optimizer: AdamState = {
      step: training.step,
      firstMoments: namedArrays(state, 'value_adam_m'),
      secondMoments: namedArrays(state, 'value_adam_v'),
    };
    parts.valueFunction.setTrainingState({ optimizer, rng: training.rng });
  }
  return state.counters as unknown as Counters;
}
