/**
 * The envs' generators (package @vinegym/rng), re-exported for env and plug-in authors: the built-in envs draw
 * with NumpyGenerator (Gymnasium's np_random, bit for bit); Rng is the agent's xoshiro128**.
 */
export { NumpyGenerator, NUMPY_GENERATOR_STATE_BYTES, Rng, randomSeed } from '@vinegym/rng';
