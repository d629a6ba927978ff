import { describe, expect, it } from 'vitest';
import { flatGrad, getFlatParams, parameterCount } from '../src/math/flat.js';
import { Rng } from '@vinegym/rng';
import { logProb } from '../src/policies/distributions.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../src/policies/mlp-policies.js';
import type { Policy } from '../src/policies/policy.js';
import { backtrackingLineSearch, maxStepScale } from '../src/algos/trpo/line-search.js';
import { meanKl, surrogateObjective } from '../src/algos/trpo/objectives.js';
import { trpoUpdate } from '../src/algos/trpo/update.js';
import { trainConfig } from '../src/config/train-config.js';
import type { PolicyGradientBatch as TrpoBatch } from '../src/estimation/advantages.js';
import { FISHER_MIN_ROWS, fisherSubsample } from '../src/algos/trpo/fisher.js';
import type { TrpoConfig } from '../src/algos/trpo/config.js';
import { tf } from './tf-setup.js';

const trpoConfig = (overrides: Partial<TrpoConfig> = {}) => trainConfig({ trpo: overrides }).trpo;

/** A random batch sampled from the policy itself, with random advantages. */
function randomBatch(policy: Policy, rng: Rng, n: number): TrpoBatch {
  const obs = Float32Array.from({ length: n * policy.obsShape[0] }, () => rng.normal());
  const { actions, logProbs } = policy.act(obs, rng);
  return { obs, actions, advantages: Float32Array.from({ length: n }, () => rng.normal()), oldLogProbs: logProbs };
}

function batchTensors(policy: Policy, batch: TrpoBatch) {
  const n = batch.advantages.length;
  const obs = tf.tensor2d(batch.obs, [n, policy.obsShape[0]]);
  const actions =
    policy.kind === 'gaussian'
      ? tf.tensor2d(batch.actions, [n, batch.actions.length / n])
      : tf.tensor1d(batch.actions, 'int32');
  return { obs, actions, advantages: tf.tensor1d(batch.advantages), oldLogProbs: tf.tensor1d(batch.oldLogProbs!) };
}

describe.each([
  ['Gaussian', () => new GaussianMlpPolicy(tf, { obsSize: 3, actionDim: 2, hiddenSizes: [8], seed: 1 })],
  ['categorical', () => new CategoricalMlpPolicy(tf, { obsSize: 3, numActions: 3, hiddenSizes: [8], seed: 1 })],
] as const)('objectives (%s)', (_, make) => {
  const policy = make();
  const rng = new Rng(2);
  const batch = randomBatch(policy, rng, 16);
  const t = batchTensors(policy, batch);

  it('KL of identical policies is 0 and so is its gradient', () => {
    const old = policy.distributionParams(t.obs);
    expect(meanKl(tf, old, policy.distributionParams(t.obs)).dataSync()[0]).toBeCloseTo(0, 6);
    const grad = flatGrad(tf, () => meanKl(tf, old, policy.distributionParams(t.obs)), policy.variables);
    expect(Math.max(...grad.map(Math.abs))).toBeLessThan(1e-6);
  });

  it('surrogate gradient at θ_old equals the policy gradient mean[∇log π(a|s) · A]', () => {
    const surrogate = flatGrad(tf, () => surrogateObjective(tf, policy.distributionParams(t.obs), t), policy.variables);
    const policyGradient = flatGrad(
      tf,
      () => tf.mean(tf.mul(logProb(tf, policy.distributionParams(t.obs), t.actions), t.advantages)) as never,
      policy.variables,
    );
    expect(surrogate.length).toBe(parameterCount(policy.variables));
    surrogate.forEach((g, i) => expect(g).toBeCloseTo(policyGradient[i], 5));
    // Weights of 1 change nothing; a zero weight removes a sample.
    const weighted = flatGrad(
      tf,
      () => surrogateObjective(tf, policy.distributionParams(t.obs), { ...t, weights: tf.ones([16]) }),
      policy.variables,
    );
    weighted.forEach((g, i) => expect(g).toBeCloseTo(surrogate[i], 6));
  });
});

describe('self-normalized importance sampling (vine)', () => {
  it('has the mean-baseline gradient at θ_old, and ignores a per-state constant added to Q', () => {
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 3, numActions: 3, hiddenSizes: [8], seed: 7 });
    const rng = new Rng(8);
    const states = 5;
    const perState = 4;
    const stateObs = Float32Array.from({ length: states * 3 }, () => rng.normal());
    const obs = Float32Array.from(
      { length: states * perState * 3 },
      (_, i) => stateObs[Math.floor(i / (3 * perState)) * 3 + (i % 3)],
    );
    const { actions, logProbs } = policy.act(obs, rng);
    const q = Float32Array.from({ length: states * perState }, () => rng.normal());
    const index = Int32Array.from({ length: states * perState }, (_, j) => Math.floor(j / perState));
    const meanQ = (n: number) => q.slice(n * perState, (n + 1) * perState).reduce((a, b) => a + b, 0) / perState;
    const advantages = q.map((v, j) => v - meanQ(index[j]));
    const t = batchTensors(policy, { obs, actions, advantages, oldLogProbs: logProbs });
    const groups = { index: tf.tensor1d(index, 'int32'), count: states };
    const gradient = (inputs: Parameters<typeof surrogateObjective>[2]) =>
      flatGrad(tf, () => surrogateObjective(tf, policy.distributionParams(t.obs), inputs), policy.variables);
    const plain = gradient(t);
    const selfNormalized = gradient({ ...t, stateGroups: groups });
    plain.forEach((g, i) => expect(selfNormalized[i]).toBeCloseTo(g, 5));
    // Shifting every Q̂ of a state by a constant leaves the self-normalized surrogate's gradient unchanged.
    const shifted = tf.tensor1d(q.map((v, j) => v + 10 * index[j]));
    const withShift = gradient({ ...t, advantages: shifted, stateGroups: groups });
    plain.forEach((g, i) => expect(withShift[i]).toBeCloseTo(g, 4));
    tf.dispose([shifted, groups.index, t.obs, t.actions, t.advantages, t.oldLogProbs]);
    policy.dispose();
  });
});

describe('fisherSubsample', () => {
  it('keeps small batches whole and strides large ones down to the fraction', () => {
    for (const [rows, expected] of [
      [500, 500],
      [5000, FISHER_MIN_ROWS],
      [20000, 4000],
    ] as const) {
      const obs = tf.zeros([rows, 2]);
      const sub = fisherSubsample(tf, obs, 0.2);
      expect(sub.shape[0]).toBe(expected);
      tf.dispose([obs, sub]);
    }
  });
});

describe('maxStepScale', () => {
  it('puts the quadratic KL model exactly on δ', () => {
    const s = [1, 2];
    const as = [3, 1]; // sᵀAs = 5
    const beta = maxStepScale(s, as, 0.01);
    expect(0.5 * beta * beta * 5).toBeCloseTo(0.01, 12);
    expect(maxStepScale([0, 0], [0, 0], 0.01)).toBe(0);
  });
});

describe('backtrackingLineSearch', () => {
  const options = {
    surrogateBefore: 0,
    expectedImprovement: 1,
    maxKl: 0.01,
    backtracks: 10,
    backtrackRatio: 0.5,
    acceptRatio: 0.1,
  };
  const old = Float32Array.of(0, 0);

  it('never accepts a step whose exact KL exceeds δ, even for a huge direction', () => {
    // KL grows quadratically in the step and the surrogate improves everywhere: only the KL test can reject.
    const evaluate = (p: Float32Array) => ({ surrogate: Math.abs(p[0]) + 1e-3, kl: 0.5 * (p[0] ** 2 + p[1] ** 2) });
    const huge = [1e3, -1e3];
    // KL(r^k·step) = 1e6·0.25^k ≤ 0.01 first at k = 14: with 10 trials nothing is safe, so θ_old comes back.
    const tenTrials = backtrackingLineSearch(evaluate, old, huge, { ...options, expectedImprovement: 1e-6 });
    expect(tenTrials).toMatchObject({ accepted: false, steps: 10, kl: 0 });
    expect(tenTrials.params).toBe(old);
    const result = backtrackingLineSearch(evaluate, old, huge, {
      ...options,
      expectedImprovement: 1e-6,
      backtracks: 20,
    });
    expect(result).toMatchObject({ accepted: true, steps: 15, stepFraction: 0.5 ** 14 });
    expect(result.kl).toBeLessThanOrEqual(0.01);
    expect(0.5 * (result.params[0] ** 2 + result.params[1] ** 2)).toBeLessThanOrEqual(0.01);
  });

  it('returns θ_old when nothing improves, or when KL is NaN', () => {
    const worse = backtrackingLineSearch(() => ({ surrogate: -1, kl: 0 }), old, [1, 1], options);
    expect(worse).toMatchObject({ accepted: false, steps: 10, surrogate: 0, kl: 0 });
    expect(worse.params).toBe(old);
    const nan = backtrackingLineSearch(() => ({ surrogate: 1, kl: Number.NaN }), old, [1, 1], options);
    expect(nan.accepted).toBe(false);
    const tooSmall = backtrackingLineSearch(() => ({ surrogate: 1e-9, kl: 0 }), old, [1, 1], options);
    expect(tooSmall.accepted).toBe(false); // improves, but far below acceptRatio × expected
  });
});

describe('trpoUpdate', () => {
  it('improves the surrogate within the trust region (TRPO) and takes the full step (NPG)', () => {
    for (const algo of ['trpo', 'npg'] as const) {
      const policy = new GaussianMlpPolicy(tf, { obsSize: 3, actionDim: 2, hiddenSizes: [8], seed: 4 });
      const batch = randomBatch(policy, new Rng(3), 64);
      const before = getFlatParams(policy.variables);
      const stats = trpoUpdate(tf, policy, batch, trpoConfig({ maxKl: 0.01 }), { lineSearch: algo === 'trpo' });
      expect(stats.accepted).toBe(true);
      expect(stats.surrogateAfter).toBeGreaterThan(stats.surrogateBefore);
      if (algo === 'trpo') expect(stats.kl).toBeLessThanOrEqual(0.01);
      else expect(stats.kl).toBeGreaterThan(0.002); // the quadratic model predicts δ; the exact KL is close
      if (algo === 'trpo') expect(stats.lineSearchSteps).toBeGreaterThanOrEqual(1);
      else expect(stats.lineSearchSteps).toBe(0);
      expect(getFlatParams(policy.variables)).not.toEqual(before);
      policy.dispose();
    }
  });

  it('measures the KL constraint on klObs when given (vine: all trunk states, not just the rollout set)', () => {
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 3, numActions: 3, hiddenSizes: [8], seed: 6 });
    const rng = new Rng(5);
    const batch = randomBatch(policy, rng, 4); // a tiny "rollout set"
    const klObs = Float32Array.from({ length: 3 * 256 }, () => rng.normal());
    const klTensor = tf.tensor2d(klObs, [256, 3]);
    const old = policy.distributionParams(klTensor);
    const stats = trpoUpdate(tf, policy, { ...batch, klObs }, trpoConfig({ maxKl: 0.01 }));
    expect(stats.accepted).toBe(true);
    const exact = meanKl(tf, old, policy.distributionParams(klTensor)).dataSync()[0];
    expect(stats.kl).toBeCloseTo(exact, 6);
    expect(exact).toBeLessThanOrEqual(0.01);
    tf.dispose(klTensor);
    policy.dispose();
  });

  it('leaves θ unchanged when the line search finds nothing (huge δ, adversarial acceptance)', () => {
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 3, numActions: 3, hiddenSizes: [8], seed: 5 });
    const batch = randomBatch(policy, new Rng(4), 32);
    const before = getFlatParams(policy.variables);
    const stats = trpoUpdate(tf, policy, batch, trpoConfig({ acceptRatio: 1e6, maxKl: 1e3 }));
    expect(stats).toMatchObject({ accepted: false, kl: 0, lineSearchSteps: 10 });
    expect(getFlatParams(policy.variables)).toEqual(before);
    policy.dispose();
  });

  it('keeps tf.memory().numTensors flat over 200 updates', () => {
    const policy = new CategoricalMlpPolicy(tf, { obsSize: 4, numActions: 3, hiddenSizes: [8], seed: 6 });
    const rng = new Rng(5);
    const config = trpoConfig({ fisherSubsample: 0.5 });
    trpoUpdate(tf, policy, randomBatch(policy, rng, 32), config); // warm-up (lazily created tensors, if any)
    const tensorsBefore = tf.memory().numTensors;
    let accepted = 0;
    for (let i = 0; i < 200; i++)
      accepted += Number(trpoUpdate(tf, policy, randomBatch(policy, rng, 32), config).accepted);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(accepted).toBeGreaterThan(100);
    policy.dispose();
  }, 120_000); // ~10 s alone; generous for a loaded machine
});
