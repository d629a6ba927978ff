/**
 * vinegym's pseudo-random generators, a leaf package (it depends on nothing of ours):
 * - `Rng` (xoshiro128**): the agent's generator (action noise, minibatch order, network init; kept in checkpoints);
 * - `NumpyGenerator` over `Pcg64`: NumPy's Generator, bit for bit, so envs draw their reset noise as Gymnasium's
 *   `np_random` does and `reset(seed=s)` starts where Gymnasium starts;
 * - `seedSequenceState` (NumPy's SeedSequence) and `Mt19937` (C++ std::mt19937), which the ALE's seeding needs.
 */
export { Rng, randomSeed, type NoiseSource, type RngState } from './xoshiro.js';
export { Pcg64, PCG64_STATE_BYTES } from './pcg64.js';
export { NumpyGenerator, NUMPY_GENERATOR_STATE_BYTES } from './numpy-generator.js';
export { seedSequenceState } from './seed-sequence.js';
export { Mt19937 } from './mt19937.js';
