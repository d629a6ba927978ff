// Envs as algorithms see them, and the two ways to get one.
export * from './env/vector-env.js';
export * from './client/connection.js';
export * from './client/session-vector-env.js';
export * from './client/remote-vector-env.js';
export * from './client/embedded-vector-env.js';
export * from './client/resilient-vector-env.js';
export * from './env/interruption.js';
// Numerics.
export { loadTf, type Tf, type LoadedTf } from './tf.js';
export { Rng, randomSeed, type RngState, type NoiseSource } from '@vinegym/rng';
export * from './math/gae.js';
export * from './math/normalizer.js';
export * from './math/conjugate-gradient.js';
export * from './math/adam.js';
export * from './policies/policy.js';
export * from './policies/mlp-policies.js';
export * from './policies/atari-cnn-policy.js';
export * from './policies/value-function.js';
export * from './trpo/config.js';
export * from './trpo/objectives.js';
export * from './trpo/fisher.js';
export * from './trpo/line-search.js';
export * from './trpo/update.js';
// Sampling and training.
export * from './sampling/space-adapter.js';
export * from './sampling/single-path.js';
export * from './sampling/path-batch.js';
export * from './sampling/vine.js';
export * from './train/config.js';
export * from './train/trainer.js';
export * from './eval/evaluate.js';
export * from './run/index.js';
// The plotting stack (vega, resvg) is not re-exported here so that importing the agent does not load it:
// use `vinegym plot` or import '@vinegym/agent/plot'.
