/**
 * TRPO (single path + GAE) on Hopper-v5 for 1M env steps, seed 0, on the embedded server. Writes the run directory
 * and a learning-curve plot under examples/hopper/runs/, and prints the final mean return and the wall time.
 *
 *   pnpm example:hopper                      (an hour or more on 2 shared cores)
 *   pnpm example:hopper --steps 100000       (a shorter budget; --seed N and --out DIR work too)
 *
 * Settings (everything else is the default TrainConfig: `vinegym train --help`):
 * - 16 env slots, 5,120 env steps per iteration (320 per slot): about 195 TRPO updates in 1M steps. Larger
 *   batches give better gradient estimates but fewer updates; at δ = 0.01 the update count is what limits 1M steps.
 * - δ = 0.01 (the paper's), 10 CG iterations, γ = 0.99, GAE λ = 0.97, standardized advantages.
 * - Policy and value function: two tanh hidden layers of 64 units. The paper's Hopper policy had one hidden layer
 *   of 50 units; 64-64 is what the reference results we compare against use (rl-zoo / sb3-contrib's MlpPolicy),
 *   so the curves are comparable.
 * - Observations normalized by running mean and variance (as rl-zoo does for Hopper).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { train, trainConfig, type TrainConfigOverrides } from '@vinegym/agent';
import { plotRuns } from '@vinegym/agent/plot';

/** The example's settings; `totalSteps` and `seed` can be overridden on the command line. */
export const HOPPER_SETUP: TrainConfigOverrides = {
  envId: 'Hopper-v5',
  algo: 'trpo',
  sampler: 'single-path',
  numEnvs: 16,
  stepsPerIteration: 5120,
  observations: { normalize: true },
  policy: { hiddenSizes: [64, 64], activation: 'tanh' },
  advantage: { estimator: 'gae', gamma: 0.99, lambda: 0.97 },
  trpo: { maxKl: 0.01 },
};

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: fileURLToPath(new URL('./runs/', import.meta.url)) },
  },
});
const totalSteps = Number(values.steps);
const seed = Number(values.seed);
const runDir = join(values.out!, `trpo-single-path-seed${seed}`);

const started = performance.now();
const result = await train({
  config: trainConfig({ ...HOPPER_SETUP, seed, totalSteps }),
  runDir,
});
const wallSeconds = (performance.now() - started) / 1000;
const { out } = await plotRuns([runDir], join(values.out!, 'hopper-trpo.png'), {
  x: 'env_steps',
  title: `TRPO (single path + GAE) on Hopper-v5, seed ${seed}`,
});
const best = Math.max(...result.rows.map((row) => row['rollout/ep_return_mean']).filter(Number.isFinite)); // NaN until an episode ends
console.log(
  `Hopper-v5: ${result.envSteps} env steps in ${result.iterations} iterations, ${wallSeconds.toFixed(0)} s wall`,
);
console.log(`final mean return (last 10 episodes): ${result.finalReturnMean.toFixed(1)}; best: ${best.toFixed(1)}`);
console.log(`run dir: ${runDir}\nplot: ${out}`);
