/**
 * vinegym's half of the one-update parity experiment (issue 17, docs/results-mujoco.md): samples ONE batch with the
 * env's preset and the seeded initial policy and value function, as the first iteration of `vinegym train` does,
 * then runs one TRPO step on it with `trpo.implementation` jacobian and autodiff, and with `trpo.klReduction` mean
 * (sb3-contrib's KL convention), each from the same initial weights, and one value fit. Writes the batch, the initial weights and every intermediate (g, s, sᵀAs, β, line-search
 * trials, new parameters, KL, value-fit losses) as JSON for sb3_update.py, which repeats the update in
 * sb3-contrib on exactly these inputs.
 *
 *   tsx --conditions=source bench/update-parity/vinegym-update.ts --env Walker2d-v5 --seed 0 --out batch.json
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  EmbeddedVectorEnv,
  Rng,
  SinglePathSampler,
  adapterFor,
  buildPolicy,
  conjugateGradient,
  gaeOnPaths,
  valueFunctionFor,
  getFlatParams,
  loadTf,
  maxStepScale,
  presetFor,
  resolveTrainConfig,
  setFlatParams,
  standardize,
  trpoUpdate,
  type Policy,
  type PolicyGradientBatch,
  type Tf,
  type TrpoConfig,
} from '@vinegym/agent';
// The update's problem (gradient, Fisher products) is internal to the agent; the bench reads it to report g and s.
import { tensorProblem } from '../../packages/agent/src/algos/trpo/tensor-problem.js';

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: 'Walker2d-v5' },
    seed: { type: 'string', default: '0' },
    out: { type: 'string', default: 'update-parity.json' },
  },
});

const weightsOf = (variables: Policy['variables']) =>
  variables.map((v) => ({ shape: v.shape, data: Array.from(v.dataSync()) }));

/** g, the CG direction s, sᵀ(A + λI)s and β, as update.ts computes them, for one implementation. */
function direction(tf: Tf, policy: Policy, batch: PolicyGradientBatch, config: TrpoConfig) {
  const problem = tensorProblem(tf, policy, batch, config);
  try {
    const gradient = problem.gradient();
    const fisherTimes = (v: Float64Array) => {
      const product = problem.fisherProduct(v);
      for (let i = 0; i < product.length; i++) product[i] += config.cgDamping * v[i];
      return product;
    };
    const cg = conjugateGradient(fisherTimes, gradient, {
      iterations: config.cgIterations,
      residualTolerance: config.cgResidualTolerance,
    });
    const fisherTimesGradient = Array.from(problem.fisherProduct(gradient));
    const as = fisherTimes(cg.x);
    const sAs = cg.x.reduce((sum, s, i) => sum + s * as[i], 0);
    return {
      surrogateBefore: problem.surrogateBefore,
      entropy: problem.entropy,
      g: Array.from(gradient),
      fisherTimesGradient,
      s: Array.from(cg.x),
      cgIterations: cg.iterations,
      sAs,
      beta: maxStepScale(cg.x, as, config.maxKl),
    };
  } finally {
    problem.dispose();
  }
}

async function main() {
  const { tf } = await loadTf();
  const envId = values.env!;
  const seed = Number(values.seed);
  const preset = await presetFor(envId);
  const config = resolveTrainConfig([preset?.values ?? {}, { envId, seed }]);
  // As the trainer builds them (train/trainer.ts, estimation/advantages.ts): same seeds, same order.
  const env = await EmbeddedVectorEnv.make({
    envId,
    kwargs: config.envKwargs,
    numEnvs: config.numEnvs,
    autoresetMode: 'same_step',
    seed,
  });
  const adapter = adapterFor(env);
  const policy = buildPolicy(tf, adapter, config);
  const valueFunction = valueFunctionFor(tf, config, adapter);
  const initialPolicy = weightsOf(policy.variables);
  const initialValue = weightsOf(valueFunction.variables);
  const sampler = new SinglePathSampler({ envs: [env], adapter, normalizer: null, noise: new Rng(seed), seed });
  const paths = await sampler.collect(policy, config.stepsPerIteration);
  await env.close();

  const gae = gaeOnPaths(valueFunction, paths, config.advantage.gamma, config.advantage.lambda);
  const { values: valuesBefore, bootstrapValues } = gae;
  const batch: PolicyGradientBatch = {
    obs: paths.obs,
    actions: paths.actions,
    advantages: config.advantage.normalize ? standardize(gae.advantages) : gae.advantages,
    oldLogProbs: paths.logProbs,
  };

  const thetaOld = getFlatParams(policy.variables);
  const updates: Record<string, unknown> = {};
  // The paper's KL by both implementations, and sb3-contrib's convention, the KL averaged over the action
  // dimensions (trpo.klReduction mean), with the same δ and damping (docs/results-mujoco.md), whatever the preset's.
  const variants: Record<string, TrpoConfig> = {
    jacobian: { ...config.trpo, implementation: 'jacobian', klReduction: 'sum' },
    autodiff: { ...config.trpo, implementation: 'autodiff', klReduction: 'sum' },
    'KL mean': { ...config.trpo, implementation: 'jacobian', klReduction: 'mean' },
    'KL mean autodiff': { ...config.trpo, implementation: 'autodiff', klReduction: 'mean' },
  };
  for (const [label, trpo] of Object.entries(variants)) {
    setFlatParams(tf, policy.variables, thetaOld);
    const before = direction(tf, policy, batch, trpo);
    const stats = trpoUpdate(tf, policy, batch, trpo);
    updates[label] = {
      klReduction: trpo.klReduction,
      ...before,
      lineSearchSteps: stats.lineSearchSteps,
      accepted: stats.accepted,
      kl: stats.kl,
      surrogateAfter: stats.surrogateAfter,
      newParams: Array.from(getFlatParams(policy.variables)),
    };
  }
  const fit = valueFunction.fit(paths.obs, gae.returns);
  valueFunction.dispose(); // its fit thread (the trainer's overlapFit) would keep the process alive

  const record = {
    envId,
    seed,
    config: { trpo: config.trpo, advantage: config.advantage, valueFunction: config.valueFunction },
    obsSize: adapter.obsSize,
    actionDim: adapter.actionSize,
    steps: paths.steps,
    obs: Array.from(paths.obs),
    actions: Array.from(paths.actions),
    oldLogProbs: Array.from(paths.logProbs),
    rewards: Array.from(paths.rewards),
    terminated: Array.from(paths.terminated),
    truncated: Array.from(paths.truncated),
    values: Array.from(valuesBefore),
    bootstrapValues: Array.from(bootstrapValues),
    advantagesRaw: Array.from(gae.advantages),
    advantages: Array.from(batch.advantages),
    returns: Array.from(gae.returns),
    initialPolicy,
    initialValue,
    updates,
    valueFit: fit,
  };
  await writeFile(values.out!, JSON.stringify(record));
  process.stdout.write(`wrote ${values.out} (${paths.steps} steps of ${envId}, seed ${seed})\n`);
}

await main();
