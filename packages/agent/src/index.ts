// Envs as algorithms see them, and the two ways to get one.
export * from './env/vector-env.js';
export { actionSampler } from './env/action-sampler.js';
export * from './client/connection.js';
export * from './client/session-vector-env.js';
export * from './client/remote-vector-env.js';
export * from './client/embedded-vector-env.js';
export * from './client/resilient-vector-env.js';
export * from './env/interruption.js';
// Numerics.
export { loadTf, type Tf, type LoadedTf } from './tf.js';
export { NumpyGenerator, Rng, randomSeed, type RngState, type NoiseSource } from '@vinegym/rng';
export * from './math/gae.js';
export * from './math/normalizer.js';
export * from './math/adam.js';
export { getFlatParams, setFlatParams } from './math/flat.js';
export * from './policies/policy.js';
export * from './policies/mlp-policies.js';
export * from './policies/atari-cnn-policy.js';
export * from './policies/value-function.js';
// Configuration: one schema for types, validation, JSON Schema and CLI flags.
export * from './config/train-config.js';
export * from './config/sections.js';
export { KEY_ALIASES, RENAMED_KEYS, type KeyAlias } from './config/keys.js';
export { presetFor, presetFileName, PRESETS_DIR, type Preset } from './config/presets.js';
// Algorithms: the interface the trainer sees, the registry, and each algorithm's folder.
export * from './algos/algorithm.js';
export * from './algos/registry.js';
export { TRPO, NPG } from './algos/trpo/index.js';
export * from './algos/trpo/config.js';
export * from './algos/trpo/objectives.js';
export * from './algos/trpo/fisher.js';
export * from './algos/trpo/kl-reduction.js';
export * from './algos/trpo/line-search.js';
export * from './algos/trpo/conjugate-gradient.js';
export * from './algos/trpo/update.js';
export { VPG } from './algos/vpg/index.js';
export * from './algos/vpg/config.js';
export { CEM } from './algos/cem/index.js';
export * from './algos/cem/config.js';
export { RWR } from './algos/rwr/index.js';
export * from './algos/rwr/config.js';
export * from './estimation/advantages.js';
export * from './estimation/policy-gradient.js';
// Sampling and training.
export * from './sampling/space-adapter.js';
export * from './sampling/single-path.js';
export * from './sampling/path-batch.js';
export * from './sampling/vine.js';
export * from './sampling/episodes.js';
export * from './train/trainer.js';
export { adapterFor, buildPolicy, slotGroups } from './train/setup.js';
export * from './eval/evaluate.js';
export * from './run/index.js';
// The plotting stack (vega, resvg) is not re-exported here so that importing the agent does not load it:
// use `vinegym plot` or import '@vinegym/agent/plot'.
