/** A value function's checkpoint entries: its weights, its Adam moments and step, and its minibatch RNG. */
import type { RngState } from '@vinegym/rng';
import type { AdamState } from '../math/adam.js';
import type { ValueFunction } from '../policies/value-function.js';
import { indexedArrays as arrays, namedArrays, type CheckpointValue, type JsonValue } from '../run/checkpoint.js';

export function saveValueFunction(valueFunction: ValueFunction): Record<string, CheckpointValue> {
  const training = valueFunction.trainingState();
  return {
    ...arrays('value', valueFunction.serialize()),
    ...arrays('value_adam_m', training.optimizer.firstMoments),
    ...arrays('value_adam_v', training.optimizer.secondMoments),
    value_training: { step: training.optimizer.step, rng: training.rng as unknown as JsonValue },
  };
}

export function loadValueFunction(valueFunction: ValueFunction, state: Record<string, CheckpointValue>): void {
  valueFunction.load(namedArrays(state, 'value'));
  const training = state.value_training as unknown as { step: number; rng: RngState };
  const optimizer: AdamState = {
    step: training.step,
    firstMoments: namedArrays(state, 'value_adam_m'),
    secondMoments: namedArrays(state, 'value_adam_v'),
  };
  valueFunction.setTrainingState({ optimizer, rng: training.rng });
}
