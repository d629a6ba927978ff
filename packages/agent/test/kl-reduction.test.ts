/**
 * `trpo.klReduction`: a Gaussian policy's KL summed over its d action dimensions (the paper) or averaged over them
 * (sb3-contrib), in every place the KL enters the update: the exact KL of the line search, the Fisher-vector
 * products of every implementation (forward mode, nested gradients, per-batch Jacobians, host arrays), the step of
 * TRPO and NPG; then the config field, sb3-contrib's names that bring it, and its flag.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '@vinegym/rng';
import type { TrpoConfig } from '../src/algos/trpo/config.js';
import { fisherVectorProduct, jacobianFisherProduct } from '../src/algos/trpo/fisher.js';
import { hostProblem } from '../src/algos/trpo/host-problem.js';
import type { KlReduction } from '../src/algos/trpo/kl-reduction.js';
import { meanKl } from '../src/algos/trpo/objectives.js';
import { tensorProblem } from '../src/algos/trpo/tensor-problem.js';
import { trpoUpdate } from '../src/algos/trpo/update.js';
import { resolveTrainSettings } from '../src/cli/train-command.js';
import { configFlags, parseConfigArgs } from '../src/config/flags.js';
import { resolveTrainConfig, trainConfig, trainConfigSchema } from '../src/config/train-config.js';
import type { PolicyGradientBatch } from '../src/estimation/advantages.js';
import { getFlatParams, setFlatParams } from '../src/math/flat.js';
import { train } from '../src/train/trainer.js';
import type { GaussianParams } from '../src/policies/distributions.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { relativeError } from './support/relative-error.js';
import { tf } from './tf-setup.js';

const trpoConfig = (overrides: Partial<TrpoConfig> = {}) => trainConfig({ trpo: overrides }).trpo;

const scaled = (values: ArrayLike<number>, factor: number) => Float64Array.from(values, (x) => x * factor);

const randomArray = (rng: Rng, length: number, scale: number) =>
  Float32Array.from({ length }, () => scale * rng.normal());

describe('meanKl with klReduction mean', () => {
  it("is sb3-contrib's average of the per-dimension KLs over the batch and the dimensions: the summed KL / d", () => {
    const rng = new Rng(1);
    const rows = 7;
    for (const d of [1, 3, 6]) {
      const gaussian = () => ({
        mean: randomArray(rng, rows * d, 1),
        logStd: randomArray(rng, rows * d, 0.5),
      });
      const [p, q] = [gaussian(), gaussian()];
      // The closed form of each dimension's KL, in float64, averaged the way torch's .mean() does.
      let perDimensionTotal = 0;
      for (let i = 0; i < rows * d; i++) {
        const [s0, s1] = [Math.exp(p.logStd[i]), Math.exp(q.logStd[i])];
        perDimensionTotal += Math.log(s1 / s0) + (s0 ** 2 + (p.mean[i] - q.mean[i]) ** 2) / (2 * s1 ** 2) - 0.5;
      }
      const tensors = (x: { mean: Float32Array; logStd: Float32Array }): GaussianParams => ({
        kind: 'gaussian',
        mean: tf.tensor2d(x.mean, [rows, d]),
        logStd: tf.tensor2d(x.logStd, [rows, d]),
      });
      const [tp, tq] = [tensors(p), tensors(q)];
      const summed = meanKl(tf, tp, tq, 'sum').dataSync()[0];
      const averaged = meanKl(tf, tp, tq, 'mean').dataSync()[0];
      expect(Math.abs(averaged - perDimensionTotal / (rows * d))).toBeLessThan(1e-5 * averaged);
      expect(Math.abs(averaged - summed / d)).toBeLessThan(1e-6 * averaged);
      expect(meanKl(tf, tp, tq).dataSync()[0]).toBe(summed); // sum is the default
      tf.dispose([tp.mean, tp.logStd, tq.mean, tq.logStd]);
    }
  });

  it('leaves a categorical KL (one per state) as it is', () => {
    const rng = new Rng(2);
    const logits = () => ({ kind: 'categorical' as const, logits: tf.tensor2d(randomArray(rng, 5 * 4, 1), [5, 4]) });
    const [p, q] = [logits(), logits()];
    expect(meanKl(tf, p, q, 'mean').dataSync()[0]).toBe(meanKl(tf, p, q, 'sum').dataSync()[0]);
    tf.dispose([p.logits, q.logits]);
  });
});

/** A policy with random (not initial) weights, and a batch it sampled, with random advantages. */
function randomized<P extends Policy>(policy: P, rng: Rng): P {
  setFlatParams(tf, policy.variables, randomArray(rng, getFlatParams(policy.variables).length, 0.5));
  return policy;
}

function randomBatch(policy: Policy, rng: Rng, n: number): PolicyGradientBatch {
  const obs = randomArray(rng, n * policy.obsShape[0], 1);
  const { actions, logProbs } = policy.act(obs, rng);
  return { obs, actions, advantages: randomArray(rng, n, 1), oldLogProbs: logProbs };
}

const ACTION_DIM = 3;
const policies = [
  [
    'Gaussian',
    ACTION_DIM,
    () => new GaussianMlpPolicy(tf, { obsSize: 4, actionDim: ACTION_DIM, hiddenSizes: [10, 8], seed: 1 }),
  ],
  ['categorical', 1, () => new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 4, hiddenSizes: [10, 8], seed: 2 })],
] as const;

describe.each(policies)('Fisher-vector products and the exact KL with klReduction mean (%s)', (name, d, make) => {
  const rng = new Rng(3);
  const policy = randomized(make(), rng);
  const batch = randomBatch(policy, rng, 40);
  const obs = tf.tensor2d(batch.obs, [40, 4]);
  const v = Float64Array.from(getFlatParams(policy.variables), () => rng.normal());
  const withoutForwardMode = Object.assign(Object.create(policy) as Policy, { linearize: undefined });
  const expectDividedByD = (mean: ArrayLike<number>, sum: ArrayLike<number>) => {
    if (name === 'categorical') expect(Array.from(mean)).toEqual(Array.from(sum));
    else expect(relativeError(mean, scaled(sum, 1 / d))).toBeLessThan(1e-5); // float32 products
  };

  it.each([
    ['forward mode (Jᵀ M J v)', (r: KlReduction) => fisherVectorProduct(tf, policy, obs, v, 0, r)],
    ['nested gradients of the KL', (r: KlReduction) => fisherVectorProduct(tf, withoutForwardMode, obs, v, 0, r)],
    [
      'per-batch Jacobians',
      (r: KlReduction) => {
        const jacobian = policy.jacobian!(obs);
        try {
          return jacobianFisherProduct(tf, policy, jacobian, v, r);
        } finally {
          jacobian.dispose();
        }
      },
    ],
  ])('%s: A v under mean is A v under sum / d', (_, product) => {
    expectDividedByD(product('mean'), product('sum'));
  });

  it('damping is added to A / d, not divided', () => {
    const damped = fisherVectorProduct(tf, policy, obs, v, 0.1, 'mean');
    const undamped = fisherVectorProduct(tf, policy, obs, v, 0, 'mean');
    expect(
      relativeError(
        damped,
        Float64Array.from(undamped, (x, i) => x + 0.1 * v[i]),
      ),
    ).toBeLessThan(1e-6);
  });

  // Vine: the KL and the Fisher rows are the trunk states (klObs); the surrogate self-normalizes per state.
  const vineBatch: PolicyGradientBatch = {
    ...batch,
    stateIndex: Int32Array.from({ length: 40 }, (_, i) => Math.floor(i / 4)),
    klObs: randomArray(rng, 30 * 4, 1),
  };
  it.each([
    ['single path', batch],
    ['vine', vineBatch],
  ])('the tensor and host problems, %s: A v and the exact KL under mean are those under sum / d', (_, batch) => {
    const thetaOld = getFlatParams(policy.variables);
    const trial = thetaOld.map((theta) => theta + 0.05 * rng.normal());
    const problems = (klReduction: KlReduction) => {
      const config = trpoConfig({ klReduction, implementation: 'autodiff' });
      return [
        tensorProblem(tf, policy, batch, config),
        hostProblem(policy.hostNetwork!, policy.kind, thetaOld, batch, config),
      ];
    };
    const [meanProblems, sumProblems] = [problems('mean'), problems('sum')];
    try {
      for (let i = 0; i < 2; i++) {
        expectDividedByD(meanProblems[i].fisherProduct(v), sumProblems[i].fisherProduct(v));
        const [meanTrial, sumTrial] = [meanProblems[i].evaluate(trial), sumProblems[i].evaluate(trial)];
        expect(meanTrial.surrogate).toBe(sumTrial.surrogate);
        expect(sumTrial.kl).toBeGreaterThan(0);
        expectDividedByD([meanTrial.kl], [sumTrial.kl]);
      }
    } finally {
      setFlatParams(tf, policy.variables, thetaOld);
      for (const problem of [...meanProblems, ...sumProblems]) problem.dispose();
    }
  });
});

describe('trpoUpdate with klReduction mean', () => {
  const implementations = ['jacobian', 'autodiff', 'host'] as const;
  it.each(
    implementations.flatMap(
      (implementation) =>
        [
          [implementation, 'TRPO', true],
          [implementation, 'NPG', false],
        ] as const,
    ),
  )('%s, %s: (δ, λ) takes the step that sum takes with (δ·d, λ·d)', (implementation, _, lineSearch) => {
    // The seeded initial weights, as in a run's first update: with large random weights, θ's float32 rounding
    // would be a sizeable part of a small step.
    const rng = new Rng(5);
    const policy = policies[0][2]();
    const batch = randomBatch(policy, rng, 300);
    const thetaOld = getFlatParams(policy.variables);
    const step = (config: Partial<TrpoConfig>) => {
      setFlatParams(tf, policy.variables, thetaOld);
      const stats = trpoUpdate(tf, policy, batch, trpoConfig({ implementation, ...config }), { lineSearch });
      return { stats, theta: getFlatParams(policy.variables) };
    };
    const [maxKl, cgDamping] = [0.01, 0.1];
    const mean = step({ klReduction: 'mean', maxKl, cgDamping });
    const sum = step({ klReduction: 'sum', maxKl: maxKl * ACTION_DIM, cgDamping: cgDamping * ACTION_DIM });
    const paperStep = step({ klReduction: 'sum', maxKl, cgDamping });
    policy.dispose();
    expect(mean.stats.accepted).toBe(true);
    expect(mean.stats.lineSearchSteps).toBe(sum.stats.lineSearchSteps);
    const delta = (theta: Float32Array) => Float64Array.from(theta, (t, i) => t - thetaOld[i]);
    // A / d and damping / d scale every CG iterate by d exactly; what is left is the rounding of the float32
    // products (tensor ops), grown by CG, or of θ (host arrays, float64 products).
    const rounding = implementation === 'host' ? 1e-6 : 5e-4;
    expect(relativeError(delta(mean.theta), delta(sum.theta))).toBeLessThan(rounding);
    expect(Math.abs(mean.stats.kl * ACTION_DIM - sum.stats.kl)).toBeLessThan(rounding * sum.stats.kl);
    if (lineSearch) expect(mean.stats.kl).toBeLessThanOrEqual(maxKl);
    // And it is not the paper's step: the trust region is d times wider.
    expect(relativeError(delta(mean.theta), delta(paperStep.theta))).toBeGreaterThan(0.1);
  });

  it('is the same step as sum, bit for bit, for a categorical policy', () => {
    const rng = new Rng(6);
    const policy = randomized(policies[1][2](), rng);
    const batch = randomBatch(policy, rng, 100);
    const thetaOld = getFlatParams(policy.variables);
    const after = (klReduction: KlReduction) => {
      setFlatParams(tf, policy.variables, thetaOld);
      const stats = trpoUpdate(tf, policy, batch, trpoConfig({ klReduction }));
      return { stats: { ...stats, timings: null }, theta: getFlatParams(policy.variables) };
    };
    expect(after('mean')).toEqual(after('sum'));
    policy.dispose();
  });
});

describe('the trpo.klReduction setting', () => {
  it('is sum by default, takes mean, and rejects anything else naming its flag', () => {
    expect(trainConfig().trpo.klReduction).toBe('sum');
    expect(trainConfig({ trpo: { klReduction: 'mean' } }).trpo.klReduction).toBe('mean');
    expect(() => trainConfig({ trpo: { klReduction: 'average' } } as never)).toThrow(
      /trpo.klReduction \(--trpo.kl-reduction\): must be one of sum, mean, got "average"/,
    );
  });

  it("is mean when a source names the trust region in sb3-contrib's words (target_kl or cg_damping)", () => {
    const reduction = (...sources: Record<string, unknown>[]) => resolveTrainConfig(sources).trpo.klReduction;
    expect(reduction({ target_kl: 0.02 })).toBe('mean');
    expect(reduction({ cg_damping: 0.1 })).toBe('mean');
    expect(reduction({ target_kl: 0.02, cg_damping: 0.1 })).toBe('mean');
    // Other sb3-contrib names, and vinegym's own names for the same numbers, leave the paper's KL.
    expect(reduction({ gamma: 0.99, n_steps: 1024, cg_max_steps: 25 })).toBe('sum');
    expect(reduction({ 'max-kl': 0.02, trpo: { cgDamping: 0.1 } })).toBe('sum');
    // Given explicitly beside them, it wins; a later source overrides it like any key, either way.
    expect(reduction({ target_kl: 0.02, trpo: { klReduction: 'sum' } })).toBe('sum');
    expect(reduction({ target_kl: 0.02 }, { trpo: { klReduction: 'sum' } })).toBe('sum');
    expect(reduction({ trpo: { klReduction: 'sum' } }, { cg_damping: 0.1 })).toBe('mean');
  });

  it('is a flag, and an RL Zoo file under a preset with sb3-contrib names in it is sb3-contrib’s trust region', async () => {
    const flags = configFlags(trainConfigSchema());
    const fromFlags = (argv: string[]) => parseConfigArgs(argv, flags, {}).config;
    const settings = (file: Record<string, unknown>, argv: string[]) =>
      resolveTrainSettings(file, fromFlags(argv)).then(({ config }) => config.trpo);
    // Hopper's preset uses sb3-contrib's convention, Swimmer's the paper's; the flag overrides either.
    expect(await settings({}, ['--env', 'Hopper-v5'])).toMatchObject({ klReduction: 'mean' });
    expect(await settings({}, ['--env', 'Hopper-v5', '--trpo.kl-reduction', 'sum'])).toMatchObject({
      klReduction: 'sum',
    });
    expect(await settings({}, ['--env', 'Swimmer-v5'])).toMatchObject({ klReduction: 'sum' });
    expect(await settings({}, ['--env', 'CartPole-v1', '--trpo.kl-reduction', 'mean'])).toMatchObject({
      klReduction: 'mean',
    });
    // An RL Zoo-style entry that gives cg_damping and relies on sb3-contrib's default target_kl, over a preset
    // with the paper's convention.
    const zoo = { envId: 'Swimmer-v5', cg_damping: 0.1, cg_max_steps: 25, n_critic_updates: 20 };
    expect(await settings(zoo, [])).toMatchObject({ klReduction: 'mean', maxKl: 0.01, cgDamping: 0.1 });
    expect(await settings(zoo, ['--trpo.kl-reduction', 'sum'])).toMatchObject({ klReduction: 'sum' });
    expect(await settings({}, ['--env', 'Hopper-v5', '--target_kl', '0.02'])).toMatchObject({
      klReduction: 'mean',
      maxKl: 0.02,
    });
  });
});

describe('a training run with klReduction mean', () => {
  it("takes sb3-contrib's step on Hopper-v5 from an RL Zoo name, and reports train/kl in its convention", async () => {
    const run = async (source: Record<string, unknown>) => {
      const config = resolveTrainConfig([
        { envId: 'Hopper-v5', numEnvs: 4, stepsPerIteration: 512, iterations: 1, totalSteps: null, seed: 3 },
        source,
      ]);
      return (await train({ config, runDir: null, progress: false })).rows;
    };
    const zoo = await run({ cg_damping: 0.1 }); // trpo.klReduction mean, δ 0.01 (the default, as sb3-contrib's)
    const scaled = await run({ trpo: { maxKl: 0.01 * ACTION_DIM, cgDamping: 0.1 * ACTION_DIM } });
    // The update is on the same batch: the same step, its KL reported / d.
    const [mean, sum] = [zoo[0], scaled[0]];
    expect(mean['rollout/ep_return_mean']).toBe(sum['rollout/ep_return_mean']);
    expect(mean['train/accepted']).toBe(1);
    expect(mean['train/kl']).toBeLessThanOrEqual(0.01);
    expect(Math.abs(mean['train/kl'] * ACTION_DIM - sum['train/kl'])).toBeLessThan(1e-3 * sum['train/kl']);
  }, 120_000); // two real MuJoCo iterations with tfjs start-up: seconds alone, far longer beside other jobs
});
