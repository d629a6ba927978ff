/**
 * Gymnasium's `action_space.seed(seed)` + `action_space.sample()` for a vinegym env's space: the same values, bit
 * for bit, since both draw from NumPy's PCG64 Generator (NumpyGenerator) the way Gymnasium's spaces do.
 *
 *   const sampler = actionSampler(env.spec.single_action_space, 0);
 *   const action = sampler.sample();   // what gym's space.seed(0); space.sample() gives
 */
import { SpaceSampler } from '@vinegym/protocol';
import type { Space } from '@vinegym/protocol';
import { NumpyGenerator } from '@vinegym/rng';

export function actionSampler(space: Space, seed: number): SpaceSampler {
  return new SpaceSampler(space, seed, (s) => new NumpyGenerator(s));
}
