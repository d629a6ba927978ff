/** The envs' generator is vinegym's one Rng (package @vinegym/rng), re-exported here for env and plug-in authors. */
export { Rng, randomSeed } from '@vinegym/rng';
