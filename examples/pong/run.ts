/**
 * TRPO (single path + GAE) with the paper's CNN policy on ALE/Pong-v5, seed 0, on the embedded server (our own
 * emulator; the ROM comes from the installed ale-py). Writes the run directory and a learning-curve plot under
 * examples/pong/runs/ and prints the final mean return and the wall time.
 *
 *   pnpm example:pong                        (about 3M env steps; an hour or more on 2 cores)
 *   pnpm example:pong --steps 500000         (a shorter budget; --seed N, --out DIR and --resume work too)
 *
 * Settings (everything else is the default TrainConfig: `vinegym train --help`):
 * - The paper's input: the last 4 grayscale frames downsampled to 52×40 (server-side preprocessing), pixels
 *   scaled to [0, 1]; ALE v5 defaults otherwise (frameskip 4, sticky actions 0.25, minimal action set: 6).
 * - The paper's CNN (two 16-filter 4×4 stride-2 convolutions, 20 tanh units, softmax) and δ = 0.01, γ = 0.99.
 * - 16 env slots, 8,000 env steps per iteration (500 per slot), GAE λ = 0.97 with a value function on the same
 *   CNN, fitted by Adam at 2.5e-4 (the paper used Monte-Carlo returns and 100,000 steps per iteration).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { train, trainConfig, type TrainConfigOverrides } from '@vinegym/agent';
import { plotRuns } from '@vinegym/agent/plot';

/** The example's settings; `totalSteps` and `seed` can be overridden on the command line. */
export const PONG_SETUP: TrainConfigOverrides = {
  envId: 'ALE/Pong-v5',
  envKwargs: { obs_type: 'grayscale', downsample: 4, frame_stack: 4 },
  algo: 'trpo',
  sampler: 'single-path',
  numEnvs: 16,
  stepsPerIteration: 8000,
  observations: { normalize: false },
  advantage: { estimator: 'gae', gamma: 0.99, lambda: 0.97 },
  // At Adam's default 2e-3 the value network's output stayed constant (explained variance ~1e-6; Adam's
  // per-weight steps move a 1,408-input tanh unit by ~1 per step, enough to saturate it); at 2.5e-4 (PPO's Atari
  // step size) it explains 40–60% of the returns' variance.
  valueFunction: { learningRate: 2.5e-4 },
  trpo: { maxKl: 0.01 },
};

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '3000000' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: fileURLToPath(new URL('./runs/', import.meta.url)) },
    resume: { type: 'boolean', default: false },
  },
});
const totalSteps = Number(values.steps);
const seed = Number(values.seed);
const runDir = join(values.out!, `trpo-single-path-seed${seed}`);

const started = performance.now();
const result = await train({
  config: trainConfig({ ...PONG_SETUP, seed, totalSteps }),
  runDir,
  resume: values.resume,
  budget: values.resume ? { iterations: null, totalSteps } : undefined,
});
const wallSeconds = (performance.now() - started) / 1000;
const { out } = await plotRuns([runDir], join(values.out!, 'pong-trpo.png'), {
  x: 'env_steps',
  title: `TRPO (single path + GAE, paper's CNN) on ALE/Pong-v5, seed ${seed}`,
});
const best = Math.max(...result.rows.map((row) => row['rollout/ep_return_mean']).filter(Number.isFinite)); // NaN until an episode ends
console.log(
  `ALE/Pong-v5: ${result.envSteps} env steps in ${result.iterations} iterations, ${wallSeconds.toFixed(0)} s wall`,
);
console.log(`final mean return (last 10 episodes): ${result.finalReturnMean.toFixed(1)}; best: ${best.toFixed(1)}`);
console.log(`run dir: ${runDir}\nplot: ${out}`);
